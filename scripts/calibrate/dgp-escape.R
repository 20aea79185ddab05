# Prototype of the ESCAPE-like data-generating process (mirror of src/stats/simulate/escape.ts).
source("scripts/calibrate/dgp-hermes.R")  # run from the repository root
escape_par <- list(
  p_evt = 165/315, age_mu = log(24), age_sd = 0.6, p_female = 0.527,
  p_occl = c(ICA = 0.27, M1 = 0.69, M2 = 0.04),
  nihss_mu = 16, nihss_sd = 5, nihss_occl = c(ICA = 2, M1 = 0, M2 = -3),
  aspects_logit = qlogis(0.10), aspects_sd = 0.9, aspects_nihss = 0.04,
  p_ivt = 0.75, onset_mu = log(170), onset_sd = 0.45, p_left = 0.5,
  p_recan_evt = 0.80, p_recan_ctl = 0.35,
  vmax = 300, z0 = -1.74, z_recan = -1.2, z_evt = -0.25, z_sd = 1.6,
  z_nihss = 0.02, z_aspects = -0.06, z_occl = c(ICA = 0.3, M1 = 0, M2 = -0.3), z_onset = 0.08,
  n24_0 = 0, n24_nihss = 0.35, n24_vol = 2.0, n24_recan = -4.5, n24_sd = 3.5,
  b_vol = 0.45, b_n24 = 0.12, b_left = 0.2, b_age = 0.35, b_evt = log(1.9),
  b_evt_death = 0.52,  # theta_5 - b_evt_death * evt: EVT protects less against death than against disability
  theta = c(-2.0611, -0.7092, 0.4478, 1.4281, 2.456, 3.5128)  # solved by calibrate-thresholds.R
)
sim_escape <- function(n, p = escape_par) {
  evt <- rbinom(n, 1, p$p_evt)
  age <- draw_age(n, p$age_mu, p$age_sd)
  fem <- rbinom(n, 1, p$p_female)
  occ <- sample(1:3, n, TRUE, p$p_occl)
  nihss <- pmin(pmax(round(rnorm(n, p$nihss_mu + p$nihss_occl[occ], p$nihss_sd)), 2), 40)
  aspects <- 10 - rbinom(n, 10, plogis(p$aspects_logit + p$aspects_nihss * (nihss - 17) + rnorm(n, 0, p$aspects_sd)))
  ivt <- rbinom(n, 1, p$p_ivt)
  onset <- round(pmin(pmax(exp(rnorm(n, p$onset_mu, p$onset_sd)), 30), 720))
  left <- rbinom(n, 1, p$p_left)
  recan <- rbinom(n, 1, ifelse(evt == 1, p$p_recan_evt, p$p_recan_ctl))
  z <- p$z0 + p$z_recan * recan + p$z_evt * evt + p$z_nihss * (nihss - 17) + p$z_aspects * (aspects - 9) +
    p$z_occl[occ] + p$z_onset * (onset - 190) / 60 + rnorm(n, 0, p$z_sd)
  vol <- round(p$vmax * plogis(z), 1)
  n24 <- pmin(pmax(round(p$n24_0 + p$n24_nihss * nihss + p$n24_vol * vol^(1/3) + p$n24_recan * recan + rnorm(n, 0, p$n24_sd)), 0), 42)
  eta <- p$b_vol * vol^(1/3) + p$b_n24 * (n24 - 10) + p$b_left * left + p$b_age * (age - 71) / 10 - p$b_evt * evt
  ystar <- eta + qlogis(runif(n))  # mRS = #{j : theta_j(evt) < y*}
  th <- outer(rep(1, n), p$theta); th[, 6] <- th[, 6] - p$b_evt_death * evt
  mrs <- as.integer(rowSums(ystar > th))
  data.frame(evt, age, sex_female = fem, nihss, aspects, occlusion = c("ICA","M1","M2")[occ], ivt,
             onset_to_rand_min = onset, fiv_ml = vol, nihss_24h = n24, delta_nihss = n24 - nihss,
             laterality = ifelse(left == 1, "left", "right"), recanalized = recan, mrs90 = mrs, eta = eta)
}
