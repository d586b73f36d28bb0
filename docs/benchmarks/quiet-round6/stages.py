import json,collections,statistics as st,glob,sys
def analyze(d):
    f=glob.glob(d+'/*')[0]
    jobs={};stages={};tasks=collections.defaultdict(list);progress=[]
    for line in open(f):
        e=json.loads(line); ev=e['Event']
        if ev.endswith('QueryProgressEvent'):
            progress.append(e['progress']['durationMs'])
        elif ev=='SparkListenerJobStart':
            jobs[e['Job ID']]={'start':e['Submission Time'],'stages':[s['Stage ID'] for s in e['Stage Infos']]}
        elif ev=='SparkListenerJobEnd':
            jobs[e['Job ID']]['end']=e['Completion Time']
        elif ev=='SparkListenerStageCompleted':
            s=e['Stage Info']; stages[s['Stage ID']]=(s['Number of Tasks'],s.get('Submission Time'),s.get('Completion Time'))
        elif ev=='SparkListenerTaskEnd':
            m=e.get('Task Metrics') or {}
            tasks[e['Stage ID']].append((m.get('Executor Run Time',0),m.get('Executor CPU Time',0)//1000000, (m.get('Shuffle Read Metrics') or {}).get('Total Records Read',0),(m.get('Input Metrics') or {}).get('Records Read',0)))
    A=[];B=[];C=[];J=[];G=[]
    ids=sorted(jobs)
    for j in ids[len(ids)//4:]:  # skip the first quarter (warm-up)
        if 'end' not in jobs[j] or len(jobs[j]['stages'])<3: continue
        ss=[s for s in jobs[j]['stages'] if s in stages and stages[s][1]]
        J.append(jobs[j]['end']-jobs[j]['start'])
        if j-1 in jobs and 'end' in jobs[j-1]: G.append(jobs[j]['start']-jobs[j-1]['end'])
        for s in ss:
            n,sub,done=stages[s]; dd=done-sub
            t=tasks[s]
            if not t: continue
            if any(x[3]>1 for x in t): A.append((dd,max(x[0] for x in t),max(x[1] for x in t)))
            elif any(x[2]>500 for x in t): B.append((dd,max(x[0] for x in t),max(x[1] for x in t)))
            else: C.append((dd,max(x[0] for x in t),max(x[1] for x in t)))
    def q(L,p): L=sorted(L); return L[min(len(L)-1,int(len(L)*p))]
    print(d)
    for name,L in (('A read+parse',A),('B dedup',B),('C agg+write',C)):
        if not L:
            print(f'  {name:14s} n=  0'); continue
        w=[x[0] for x in L]
        print(f'  {name:14s} n={len(L):3d} stage wall p50 {st.median(w):5.0f} p90 {q(w,.9):5.0f}  max-task run p50 {st.median([x[1] for x in L]):5.0f} cpu p50 {st.median([x[2] for x in L]):4.0f}')
    print(f'  main job n={len(J)} p50 {st.median(J):.0f} p90 {q(J,.9):.0f}; gap before main job p50 {st.median(G):.0f}')
    # the query's own progress (Spark writes it to the event log): whole micro-batch, planning, addBatch
    P=progress[len(progress)//4:]
    if P:
        print('  micro-batch (query progress) n=%d' % len(P) + ''.join(
            f' {k} p50 {st.median([d.get(k,0) for d in P]):.0f} p90 {q([d.get(k,0) for d in P],.9):.0f};'
            for k in ('triggerExecution','queryPlanning','addBatch','walCommit','commitOffsets')))
for d in sys.argv[1:]: analyze(d)
