import json,datetime,glob,sys,re
res=sys.argv[1]; bench=sys.argv[2]
r=json.load(open(res+'/results.json'))
t=r['scenarios']['throughput']
print('job median',round(t['job_median_events_per_second']),'ceiling median',round(t['ceiling_median_events_per_second']),'ratio per rep',[round(x,3) for x in t['ratio_per_rep']])
print('exact:',t['reprocessing_exact_checks'])
for jr in t['job_runs']:
    v=jr['pipeline_version']
    line=open(f'{bench}/job-{v}/streaming-job.log').readline()
    ts=line.split()[0]
    s=datetime.datetime.fromisoformat(ts).replace(tzinfo=datetime.timezone.utc).timestamp()
    done=jr['all_queries_done_epoch_ms']/1000
    c=jr['curve_seconds_rows']
    print(v, 'ev/s %.0f'%jr['events_per_second'], 'job start -> all %d trips done: %.1f s'%(jr['valid_trips_total'],done-s), '(first batch end -> last: %.1f s)'%c[-1][0], 'batches s', [round(c[i+1][0]-c[i][0],1) for i in range(len(c)-1)])
