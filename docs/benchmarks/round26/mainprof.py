"""The main thread's execution samples of producer recordings (`jfr print --events jdk.ExecutionSample
--stack-depth 64` output): self and inclusive shares of its frames. Usage: mainprof.py <print>.txt ..."""
import sys, re, collections
# parse `jfr print --events jdk.ExecutionSample --stack-depth 64` output; main thread only
def parse(path):
    txt=open(path).read()
    evs=txt.split('jdk.ExecutionSample')
    self_c=collections.Counter(); incl=collections.Counter(); n=0
    for e in evs:
        m=re.search(r'sampledThread = "([^"]*)"',e)
        if not m or m.group(1)!='main': continue
        frames=re.findall(r'^\s+([\w.$<>]+)\(',e,re.M)
        frames=[f for f in frames if f not in('stackTrace',)]
        if not frames: continue
        n+=1
        self_c[frames[0]]+=1
        for f in set(frames): incl[f]+=1
    return n,self_c,incl
for p in sys.argv[1:]:
    n,s,i=parse(p)
    print('==',p,'main samples',n)
    print(' self:'); [print('  %5.1f%% %s'%(100*c/n,f)) for f,c in s.most_common(18)]
    keys=['TripEventWriter','ReplayMarker','KafkaProducer.send','KafkaProducer.doSend','RecordAccumulator.append','MemoryRecordsBuilder','lz4','LZ4','ReadAhead','Synthetic','RecordHeader','DefaultRecord','Utils.utf8','ProducerStats','Pacer','TripProducerApp','KeyPartitioner','serialize']
    agg=collections.Counter()
    for f,c in i.items():
        for k in keys:
            if k in f: agg[k]=max(agg[k],c)
    print(' inclusive (max frame):',', '.join('%s %.1f%%'%(k,100*c/n) for k,c in agg.most_common()))
