# Samples of a JFR recording by thread (digits folded), top frame and inclusive method: python3 jfrtop.py rec.jfr [stack depth]
import sys,re,subprocess,collections
f=sys.argv[1]; depth=int(sys.argv[2]) if len(sys.argv)>2 else 40
out=subprocess.run(['jfr','print','--events','jdk.ExecutionSample','--stack-depth',str(depth),f],capture_output=True,text=True).stdout
samples=out.split('jdk.ExecutionSample')
top=collections.Counter(); incl=collections.Counter(); threads=collections.Counter(); n=0
for s in samples[1:]:
    frames=re.findall(r'^\s+([\w$.<>]+\([^)]*\))\s+line:',s,re.M)
    th=re.search(r'sampledThread = "([^"]*)"',s)
    if not frames: continue
    n+=1
    t=th.group(1) if th else '?'
    t=re.sub(r'\d+','N',t)
    threads[t]+=1
    top[frames[0]]+=1
    seen=set()
    for fr in frames:
        m=re.sub(r'\(.*','',fr)
        if m not in seen:
            seen.add(m); incl[m]+=1
print('samples',n)
print('--threads'); [print(f'{c*100/n:5.1f}% {k}') for k,c in threads.most_common(15)]
print('--top frames'); [print(f'{c*100/n:5.1f}% {k}') for k,c in top.most_common(25)]
print('--inclusive'); [print(f'{c*100/n:5.1f}% {k}') for k,c in incl.most_common(60)]
