# Prototype of the HERMES-like data-generating process (mirror of src/stats/simulate/hermes.ts),
# used to tune the true parameters at large n before freezing them in TypeScript.
# Draws use R's RNG, so values differ from the TypeScript generator; population figures agree.
plogis <- stats::plogis
# age = round(95 - X), log X ~ N(mu, sd), redrawn while below 18 (trial inclusion)
draw_age <- function(n, mu, sd) {
  age <- round(95 - exp(rnorm(n, mu, sd)))
  while (any(bad <- age < 18)) age[bad] <- round(95 - exp(rnorm(sum(bad), mu, sd)))
  age
}
hermes_par <- list(
  trial_names = c("MR CLEAN","ESCAPE","REVASCAT","SWIFT PRIME","EXTEND IA","PISTE","THRACE"),
  trial_sizes = c(500, 315, 206, 196, 70, 65, 414),
  p_evt = 821/1665,
  p_mri = c(0.01, 0.81, 0.05, 0.05, 0.20, 0.03, 0.02),
  p_ivt = c(0.89, 0.73, 0.68, 1, 1, 1, 1),
  # between-trial variation (fixed standard scores, mean 0, RMS 1): shift of the latent scale (+ = worse)
  # trial_outcome_sd * outcome_score, and of the EVT log cOR trial_evt_sd * evt_score
  outcome_score = c(1.6076, 0.4017, 0.8685, 0, -0.8685, -0.4017, -1.6076),
  evt_score = c(-0.8685, 1.6076, 0, 0.8685, 0.4017, -1.6076, -0.4017),
  trial_outcome_sd = 0.35, trial_evt_sd = 0.42,
  age_mu = log(27), age_sd = 0.515,
  p_female = 0.469,
  p_occl = c(ICA = 0.21, M1 = 0.71, M2 = 0.08),
  nihss_mu = 17, nihss_sd = 5, nihss_occl = c(ICA = 2, M1 = 0, M2 = -3),
  aspects_logit = qlogis(0.12), aspects_sd = 0.9, aspects_nihss = 0.04,
  onset_mu = log(190), onset_sd = 0.33,
  # volume: V = vmax * plogis(Z)
  vmax = 300, z0 = -1.57, z_recan = -0.77, p_recan_evt = 0.67, p_recan_ctl = 0, z_sd = 1.85,
  z_nihss = 0.02, z_aspects = -0.06, z_occl = c(ICA = 0.3, M1 = 0, M2 = -0.3), z_onset = 0.08, z_age = 0, z_ivt = -0.1,
  # outcome: logit P(mRS <= j) = theta_j - eta - [j == 2] b_vol_good * vol^(1/3)
  # (volume acts on every split with b_vol and on the mRS 0-2 vs 3-6 split with b_vol + b_vol_good)
  b_vol = 0.747, b_vol_good = 0.16, b_evt = log(2.235), b_age = 0.35, b_nihss = 0.04, b_aspects = -0.05,
  b_occl = c(ICA = 0.15, M1 = 0, M2 = -0.1), b_ivt = -0.15, b_onset = 0.1, b_female = 0,
  theta = c(-0.9449, 0.2493, 1.8696, 2.3617, 3.7648, 4.7084)  # solved by calibrate-thresholds.R (theta_j at 0 mL)
)
sim_hermes <- function(n, p = hermes_par) {
  tr <- sample(seq_along(p$trial_sizes), n, TRUE, p$trial_sizes)
  evt <- rbinom(n, 1, p$p_evt)
  age <- draw_age(n, p$age_mu, p$age_sd)
  fem <- rbinom(n, 1, p$p_female)
  occ <- sample(1:3, n, TRUE, p$p_occl)
  nihss <- pmin(pmax(round(rnorm(n, p$nihss_mu + p$nihss_occl[occ], p$nihss_sd)), 2), 40)
  ploss <- plogis(p$aspects_logit + p$aspects_nihss * (nihss - 17) + rnorm(n, 0, p$aspects_sd))
  aspects <- 10 - rbinom(n, 10, ploss)
  ivt <- rbinom(n, 1, p$p_ivt[tr])
  onset <- round(pmin(pmax(exp(rnorm(n, p$onset_mu, p$onset_sd)), 30), 720))
  mri <- rbinom(n, 1, p$p_mri[tr])
  lo <- (onset - 190) / 60
  recan <- rbinom(n, 1, ifelse(evt == 1, p$p_recan_evt, p$p_recan_ctl))
  z <- p$z0 + p$z_recan * recan + p$z_nihss * (nihss - 17) + p$z_aspects * (aspects - 9) + p$z_occl[occ] +
    p$z_onset * lo + p$z_age * (age - 68) / 10 + p$z_ivt * ivt + rnorm(n, 0, p$z_sd)
  vol <- round(p$vmax * plogis(z), 1)
  eta <- p$b_vol * vol^(1/3) - (p$b_evt + p$trial_evt_sd * p$evt_score[tr]) * evt + p$b_age * (age - 68) / 10 + p$b_nihss * (nihss - 17) +
    p$b_aspects * (aspects - 9) + p$b_occl[occ] + p$b_ivt * ivt + p$b_onset * lo + p$b_female * fem +
    p$trial_outcome_sd * p$outcome_score[tr]
  u <- runif(n); ystar <- eta + qlogis(u)  # P(Y <= j) = P(ystar <= theta_j(V))
  mrs <- mrs_from_latent(ystar, vol^(1/3), p)
  data.frame(trial = p$trial_names[tr], evt, age, sex_female = fem, nihss, aspects,
             occlusion = factor(c("ICA","M1","M2")[occ], levels = c("M1","ICA","M2")), ivt,
             onset_to_rand_min = onset, modality = ifelse(mri == 1, "MRI", "CT"), fiv_ml = vol, mrs90 = mrs, eta = eta, recan = recan)
}
# the volume-dependent thresholds theta_j(V) = theta_j - [j == 2] b_vol_good * V^(1/3), one row per patient
theta_at <- function(cv, p) outer(rep(1, length(cv)), p$theta) - outer(cv, c(0, 0, p$b_vol_good, 0, 0, 0))
# mRS = #{j : theta_j(V) < y*} (valid while theta_j(V) increases in j for every V <= vmax; see the docs §3)
mrs_from_latent <- function(ystar, cv, p) as.integer(rowSums(ystar > theta_at(cv, p)))
# thresholds that give the control-arm mRS distribution: solve mean(plogis(theta_j - shift_ij - eta_i)) = cum_j,
# shift = the volume-dependent part of theta_j(V) (a matrix, one column per threshold; 0 for a proportional-odds model)
solve_theta <- function(eta, cum, shift = matrix(0, length(eta), length(cum)))
  sapply(seq_along(cum), function(j) uniroot(function(t) mean(plogis(t - shift[, j] - eta)) - cum[j], c(-20, 20), tol = 1e-10)$root)
