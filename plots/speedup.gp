# speedup.gp - measured speedup against worker count, the ideal line,
# Amdahl's law fitted to the points (the same least squares as the JSON's
# "amdahl" block: 1/S - 1/p = f (1 - 1/p)), and what this machine allows:
# p independent one-thread renders at once (column 12, the "ceiling"), with
# Amdahl's f fitted to speedup / ceiling (the JSON's "amdahl_vs_ceiling").
#
#   gnuplot -e "dat='bench/results/main_scaling.dat'; out='plots/speedup'" plots/speedup.gp
#
# Writes out.png and out.svg. Optional: name='...' (goes in the title).
if (!exists("dat"))  dat  = 'bench/results/main_scaling.dat'
if (!exists("out"))  out  = 'plots/speedup'
if (!exists("name")) name = 'render, strong scaling'

set datafile missing "NaN"
stats dat using 1 nooutput
pmax = STATS_max

f = 0.1
g(x) = f * x
set fit nolog quiet
if (pmax > 1) { fit g(x) dat using (1.0 - 1.0/$1):(1.0/$3 - 1.0/$1) via f } else { f = NaN }
amdahl(p) = 1.0 / (f + (1.0 - f) / p)
limit = (f > 0) ? sprintf("limit 1/f = %.1fx", 1.0 / f) : "no limit"

# The ceiling columns exist in .dat files from sweeps that measured it.
stats dat using 12 nooutput
have_ceiling = exists("STATS_records") ? (STATS_records > 0) : 0
fc = 0.1
gc(x) = fc * x
# Amdahl with the machine's C(p) processors' worth in place of p
if (have_ceiling && pmax > 1) { fit gc(x) dat using (1.0 - 1.0/$12):(1.0/$3 - 1.0/$12) via fc } else { fc = NaN }

set terminal pngcairo noenhanced size 900,600 font ",12"
set output out.'.png'
set title sprintf("Speedup vs workers (%s)", name)
set xlabel "workers (OpenMP threads)"
set ylabel "speedup = T(1 worker, 1 chunk) / T(p)"
set key top left box opaque
set grid
set xrange [0:pmax * 1.05 + 0.5]
if (pmax <= 16) { set xtics 1 }
set yrange [0:*]
set samples 400
if (have_ceiling && fc == fc) { set label 1 sprintf("Amdahl f with the ceiling in place of p: %.3f", fc) at graph 0.98, graph 0.06 right }
plot x with lines dt 2 lc rgb "gray40" title "ideal (S = p)", \
     (x >= 1 ? amdahl(x) : 1/0) with lines lw 2 lc rgb "#d62728" \
         title sprintf("Amdahl fit: f = %.3f, %s", f, limit), \
     dat using 1:3:9:10 with yerrorlines pt 7 ps 1.3 lw 2 lc rgb "#1f77b4" \
         title "measured (median; bars: fastest..slowest run)", \
     dat using 1:(have_ceiling ? $12 : NaN) with linespoints dt 4 pt 5 ps 1.1 lw 2 lc rgb "#2ca02c" \
         title (have_ceiling ? "what this machine allows (p 1-thread jobs)" : "")

set terminal svg noenhanced size 900,600 dynamic font "Helvetica,12"
set output out.'.svg'
replot
unset output
