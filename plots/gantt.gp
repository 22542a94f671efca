# gantt.gp - which worker ran which chunk, and when, at the largest worker
# count of a sweep. Gaps are idle threads: waiting for the last chunks (load
# imbalance), or for the serial probe and merge at either end.
#
#   gnuplot -e "dat='bench/results/main_gantt.dat'; out='plots/gantt'" plots/gantt.gp
if (!exists("dat"))  dat  = 'bench/results/main_gantt.dat'
if (!exists("out"))  out  = 'plots/gantt'
if (!exists("name")) name = 'render'

set datafile missing "NaN"
stats dat using 1 nooutput
nworkers = int(STATS_max) + 1
nchunks = STATS_records
stats dat using 3 nooutput
tend = STATS_max

set terminal pngcairo noenhanced size 900,600 font ",12"
set output out.'.png'
set title sprintf("Chunks per worker over time: %d chunks on %d threads (%s)", nchunks, nworkers, name)
set xlabel "wall time since the run started (s)"
set ylabel "worker (OpenMP thread)"
set ytics 1
set yrange [-0.6:nworkers - 0.4]
set xrange [0:tend * 1.02]
set grid xtics
unset key
set style fill solid 0.75 border rgb "black"
# A label only where the bar is wide enough to hold it.
lab(i, w) = (w > 0.025 * tend ? sprintf("%d", i) : "")
plot dat using (($2 + $3) / 2):1:(($3 - $2) / 2):(0.38):(int($4) % 8 + 1) \
         with boxxyerror lc variable, \
     ''  using (($2 + $3) / 2):1:(lab($4, $3 - $2)) with labels font ",9"

set terminal svg noenhanced size 900,600 dynamic font "Helvetica,12"
set output out.'.svg'
replot
unset output
