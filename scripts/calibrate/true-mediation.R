# True mediation quantities of the HERMES-like DGP, computed from the R prototype (dgp-hermes.R) with
# both potential volumes of each patient (same covariates and residual volume noise; reperfusion
# R(1) ~ Bernoulli(p_recan_evt), R(0) = 0) and exact outcome probabilities
# P(mRS <= 2 | x, evt, V) = plogis(theta_2 - b_vol_good V^(1/3) - eta(x, evt, V)):
#   τ    = E P(Y(1, V(1))) − E P(Y(0, V(0)))           total effect on P(mRS 0-2)
#   δ(t) = E P(Y(t, V(1))) − E P(Y(t, V(0)))           natural indirect effect
#   ζ(t) = E P(Y(1, V(t))) − E P(Y(0, V(t)))           natural direct effect
#   proportion mediated = ½(δ(0) + δ(1)) / τ         (as mediation::mediate)
# and the product-of-coefficients proportion of the `mediate` step at large n (lm of cbrt(V) on evt
# and covariates × the clm coefficient of cbrt(V); proportion = ab / (ab + β_direct)).
#   Rscript scripts/calibrate/true-mediation.R
source("scripts/calibrate/dgp-hermes.R")
suppressPackageStartupMessages(library(ordinal))
set.seed(11)
n <- 1e6
p <- hermes_par
d <- sim_hermes(n)  # covariates; volumes recomputed below under both arms
occ <- match(as.character(d$occlusion), c("ICA", "M1", "M2"))
lo <- (d$onset_to_rand_min - 190) / 60
base <- p$z0 + p$z_nihss * (d$nihss - 17) + p$z_aspects * (d$aspects - 9) + p$z_occl[occ] + p$z_onset * lo + p$z_ivt * d$ivt + rnorm(n, 0, p$z_sd)
recan1 <- rbinom(n, 1, p$p_recan_evt)
v1 <- round(p$vmax * plogis(base + p$z_recan * recan1), 1)
v0 <- round(p$vmax * plogis(base), 1)
eta_x <- p$b_age * (d$age - 68) / 10 + p$b_nihss * (d$nihss - 17) + p$b_aspects * (d$aspects - 9) + p$b_occl[occ] + p$b_ivt * d$ivt + p$b_onset * lo
tr <- match(d$trial, p$trial_names)
# `trials`: FALSE for a patient of a trial whose effects are 0 (what a mixed model's counterfactual effects
# estimate, at its random effects 0); TRUE for the population of the 7 trials (the trial shifts and EVT effects)
effects <- function(trials) {
  u <- if (trials) p$trial_outcome_sd * p$outcome_score[tr] else 0
  bt <- p$b_evt + if (trials) p$trial_evt_sd * p$evt_score[tr] else 0
  P <- function(t, v) mean(plogis(p$theta[3] - p$b_vol_good * v^(1/3) - (eta_x + u + p$b_vol * v^(1/3) - bt * t)))
  p11 <- P(1, v1); p10 <- P(1, v0); p01 <- P(0, v1); p00 <- P(0, v0)
  tau <- p11 - p00; d1 <- p11 - p10; d0 <- p01 - p00; z1 <- p11 - p01; z0 <- p10 - p00
  cat(if (trials) "over the 7 trials:" else "trial effects 0:", "\n")
  cat(sprintf("P(mRS 0-2): p11 %.4f p10 %.4f p01 %.4f p00 %.4f\n", p11, p10, p01, p00))
  cat(sprintf("total %.4f  NIE delta(1) %.4f delta(0) %.4f  NDE zeta(1) %.4f zeta(0) %.4f  proportion mediated %.4f\n", tau, d1, d0, z1, z0, (d0 + d1) / 2 / tau))
}
effects(FALSE)
effects(TRUE)
# product method at n = 200 000 from generated data (trial as a fixed factor: the mixed models' limit; see mixed-estimands.R)
g <- sim_hermes(200000)
g$y <- factor(g$mrs90, levels = 0:6, ordered = TRUE); g$cv <- g$fiv_ml^(1/3)
g$trial <- factor(g$trial, levels = p$trial_names); contrasts(g$trial) <- contr.sum(7)
cov <- "age + sex_female + nihss + aspects + occlusion + ivt + onset_to_rand_min + trial"
a <- coef(lm(as.formula(paste("cv ~ evt +", cov)), data = g))["evt"]
m <- clm(as.formula(paste("y ~ evt + cv +", cov)), data = g)
b <- coef(m)["cv"]; bd <- coef(m)["evt"]
cat(sprintf("product: a %.4f b %.4f direct %.4f  proportion ab/(ab + direct) %.4f\n", a, b, bd, (a * b) / (a * b + bd)))
