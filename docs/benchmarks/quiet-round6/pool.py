import json,statistics as st,sys
groups={'before':sys.argv[1].split(','),'after':sys.argv[2].split(',')}
out={}
for g,dirs in groups.items():
    rates={};cpu={};ratios={}
    for d in dirs:
        v=json.load(open(d+'/results.json'))['scenarios']['producer']['variants']
        syn={r['rep']:r['events_per_second'] for r in v['synthetic']['runs']}
        for name,x in v.items():
            for r in x['runs']:
                rates.setdefault(name,[]).append(r['events_per_second'])
                cpu.setdefault(name,[]).append(r['cpu_seconds_per_million'])
                ratios.setdefault(name,[]).append(r['events_per_second']/syn[r['rep']])
    out[g]=(rates,cpu,ratios)
    print(g)
    for name in rates:
        print(f"  {name:24s} ev/s {st.median(rates[name]):>9,.0f}  cpu/M {st.median(cpu[name]):5.2f}  ratio-to-synth median {st.median(ratios[name]):.2f} per-rep {' '.join(f'{x:.2f}' for x in ratios[name])}")
