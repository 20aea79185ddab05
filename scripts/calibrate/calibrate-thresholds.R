# Solves the mRS thresholds θ_0..θ_5 of both cohorts so that the control arm has the target mRS
# distribution: mean over control patients of plogis(θ_j(V_i) − η_i) = target P(mRS ≤ j), η from the R
# prototype of each DGP at n = 400 000 (run from the repository root):
#   Rscript scripts/calibrate/calibrate-thresholds.R
# The printed vectors are frozen as `thresholds` in src/stats/simulate/{hermes,escape}.ts.
source("scripts/calibrate/dgp-escape.R")  # also sources dgp-hermes.R
set.seed(20261122)
n <- 400000
# HERMES control arm (issue 5): 5.0/7.9/13.6/16.4/24.7/13.5/18.9 %
d <- sim_hermes(n)
ctl <- d$evt == 0
shift <- outer(d$fiv_ml[ctl]^(1/3), c(0, 0, hermes_par$b_vol_good, 0, 0, 0))  # theta_2 moves with volume (dgp-hermes.R)
th_h <- solve_theta(d$eta[ctl], cumsum(c(5.0, 7.9, 13.6, 16.4, 24.7, 13.5)) / 100, shift)
# ESCAPE control arm: mRS 0-2 29.3 % and death 19.0 % as published; the split within is assumed
e <- sim_escape(n)
th_e <- solve_theta(e$eta[e$evt == 0], cumsum(c(4.7, 9.3, 15.3, 17.3, 18.7, 15.7)) / 100)
cat("hermes thresholds:", deparse(round(th_h, 4)), "\n")
cat("escape thresholds:", deparse(round(th_e, 4)), "\n")
