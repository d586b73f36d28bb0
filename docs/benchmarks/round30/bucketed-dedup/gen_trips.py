import random, os, sys, datetime
random.seed(11)
d=sys.argv[1]; os.makedirs(d, exist_ok=True)
files=int(sys.argv[2]); per=int(sys.argv[3]); span=int(sys.argv[4])
base=datetime.datetime(2026,1,1)
prev=[]
for i in range(files):
    rows=[]
    for j in range(per):
        t=base+datetime.timedelta(seconds=i*span+random.random()*span)
        rows.append('{"trip_id":"yellow_tripdata_2019-02.csv:%d","dropoff_time":"%s","fare":1.5}' % (i*per+j, t.strftime('%Y-%m-%dT%H:%M:%S.%fZ')))
    out=rows+(random.sample(prev, len(prev)//5) if prev else [])+random.sample(rows, per//50)
    random.shuffle(out)
    with open(os.path.join(d,"part-%04d.json"%i),"w") as f:
        f.write("\n".join(out)+"\n")
    prev=rows
