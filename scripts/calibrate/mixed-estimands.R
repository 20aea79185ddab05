# Population values of the pipelines' mixed-effects analyses of the HERMES-like DGP (dgp-hermes.R) at large
# n. With n → ∞ in each of the 7 trials, a random intercept (and EVT slope) for trial estimates the fixed
# effects of a model with one intercept shift (and EVT effect) per trial, and the fixed EVT coefficient of the
# random-slope model the trials' unweighted mean EVT effect (each trial's weight 1/(v_k + σ²) → 1/σ²): so the
# models below use trial as a fixed factor with sum contrasts (its coefficients then average over trials,
# the "trial effect 0" of the mixed model). Complete cases as the pipelines; n = 400 000 (seed 13).
#   Rscript scripts/calibrate/mixed-estimands.R   (several minutes)
source("scripts/calibrate/dgp-hermes.R")
suppressPackageStartupMessages(library(ordinal))
set.seed(13)
d <- sim_hermes(4e5)
d$trial <- factor(d$trial, levels = hermes_par$trial_names)
contrasts(d$trial) <- contr.sum(7)
d$y <- factor(d$mrs90, levels = 0:6, ordered = TRUE)
d$cv <- d$fiv_ml^(1/3)
d$good <- as.integer(d$mrs90 <= 2)
cov <- "age + sex_female + nihss + aspects + occlusion + ivt + onset_to_rand_min"
fit <- function(f) clm(as.formula(f), data = d)
ev <- function(m) unname(coef(m)["evt"])
# random intercept and EVT slope (ordinal_volume, ordinal_evt)
sl_vol <- fit(paste("y ~ cv + evt +", cov, "+ trial + evt:trial"))
sl_tot <- fit(paste("y ~ evt +", cov, "+ trial + evt:trial"))
# random intercept (mediation, its bootstrap)
ri_vol <- fit(paste("y ~ cv + evt +", cov, "+ trial"))
ri_tot <- fit(paste("y ~ evt +", cov, "+ trial"))
# fixed effects (the sensitivity rows)
fe_vol <- fit(paste("y ~ cv + evt +", cov))
fe_tot <- fit(paste("y ~ evt +", cov))
a_ri <- unname(coef(lm(as.formula(paste("cv ~ evt +", cov, "+ trial")), data = d))["evt"])
b_ri <- unname(coef(ri_vol)["cv"])
out <- c(
  cor_volume = exp(-unname(coef(sl_vol)["cv"])), cor_evt_adjusted_for_volume = exp(-ev(sl_vol)), cor_evt_total = exp(-ev(sl_tot)),
  cor_volume_ri = exp(-b_ri), cor_evt_adjusted_ri = exp(-ev(ri_vol)), cor_evt_total_ri = exp(-ev(ri_tot)),
  proportion_mediated = 1 - ev(ri_vol) / ev(ri_tot),
  proportion_mediated_product = a_ri * b_ri / (a_ri * b_ri + ev(ri_vol)),
  cor_volume_fixed = exp(-unname(coef(fe_vol)["cv"])), cor_evt_adjusted_fixed = exp(-ev(fe_vol)), cor_evt_total_fixed = exp(-ev(fe_tot)),
  proportion_mediated_fixed = 1 - ev(fe_vol) / ev(fe_tot))
# logistic model of mRS 0-2 with a random intercept (volume_delta): deltas at trial effect 0
g <- glm(as.formula(paste("good ~ fiv_ml + evt +", cov, "+ trial")), family = binomial, data = d)
b <- coef(g)["fiv_ml"]
X <- model.matrix(as.formula(paste("~ fiv_ml + evt +", cov)), d)
lp <- drop(X %*% coef(g)[colnames(X)])   # the fixed part only: trial effect 0 (sum contrasts: the average trial)
s <- d$fiv_ml < 80
dv <- sapply(c(.01, .05, .10), function(del) {
  p1 <- plogis(lp[s]) + del
  median(ifelse(p1 < 1, (qlogis(pmin(p1, 1 - 1e-12)) - lp[s]) / (-b), NA), na.rm = TRUE)
})
out <- c(out, logistic_volume_per_ml = unname(b), dv1 = dv[1], dv5 = dv[2], dv10 = dv[3])
gf <- glm(as.formula(paste("good ~ fiv_ml + evt +", cov)), family = binomial, data = d)
out <- c(out, logistic_volume_per_ml_fixed = unname(coef(gf)["fiv_ml"]))
print(round(out, 4))
