# Which seed ships. The generator's seed only picks one realisation of a fixed DGP; we ship the
# realisation of seeds 1..200 closest to the published figures, scoring each figure by its z-score
# across the 200 realisations (so a noisy figure weighs less); the headline estimands of the mediation
# analysis (cOR for volume, EVT cOR adjusted for volume, proportion explained) weigh 3 times; for the HERMES-like
# cohort only seeds whose proportion explained and volume deltas fall in the windows below are eligible.
# Inputs: CSVs written by the generator,
#   Rscript scripts/calibrate/choose-seed.R hermes|escape 'dir/h_%s.csv' [mixed-figures.csv]
# HERMES: with the third argument (scripts/calibrate/mixed-figures.mjs), the analysis figures are the
# pipelines' mixed-effects ones (lesionflow's fits), and the SE of the log EVT cOR (published CI 1.52-3.21:
# 0.191) is scored with them.
# Output: the ranking and each figure's spread (mean, SD over seeds), quoted in docs/synthetic-cohort.md.
suppressPackageStartupMessages(library(ordinal))
source("scripts/calibrate/estimands.R")
args <- commandArgs(TRUE); cohort <- args[1]; pattern <- args[2]; seeds <- 1:200
figs <- function(d) {
  m <- function(x) median(x, na.rm = TRUE); g <- function(a) mean(d$mrs90[d$evt == a] <= 2)
  if (cohort == "hermes") {
    e <- suppressWarnings(hermes_estimands(d))
    c(vol_median = m(d$fiv_ml), vol_median_evt = m(d$fiv_ml[d$evt == 1]), vol_median_ctl = m(d$fiv_ml[d$evt == 0]),
      good_evt = g(1), good_ctl = g(0), ct = mean(d$modality == "CT", na.rm = TRUE), female = mean(d$sex_female),
      log_cor_vol = log(e[["cor_vol_cbrt"]]), log_cor_evt_adj = log(e[["cor_evt_adj"]]), prop_mediated = e[["prop_mediated"]],
      dv1 = e[["dv1"]], dv5 = e[["dv5"]], dv10 = e[["dv10"]],
      ctl_mrs_chisq = chisq_ctl(d$mrs90[d$evt == 0]))
  } else {
    d$y <- factor(d$mrs90, levels = 0:6, ordered = TRUE)
    c(vol_median_evt = m(d$fiv_ml[d$evt == 1]), vol_median_ctl = m(d$fiv_ml[d$evt == 0]), good_evt = g(1), good_ctl = g(0),
      death_evt = mean(d$mrs90[d$evt == 1] == 6), death_ctl = mean(d$mrs90[d$evt == 0] == 6),
      log_cor_evt = unname(-coef(clm(y ~ evt, data = d))["evt"]))
  }
}
# Pearson chi-square of the control arm's mRS 0..6 counts against the published control distribution
# (its target is 0: the score penalises a realisation whose control arm strays far from it)
ctl_target <- c(5.0, 7.9, 13.6, 16.4, 24.7, 13.5, 18.9) / 100
chisq_ctl <- function(m) { o <- tabulate(m + 1, 7); e <- length(m) * ctl_target; sum((o - e)^2 / e) }
target <- if (cohort == "hermes") {
  c(vol_median = 41, vol_median_evt = 33, vol_median_ctl = 51, good_evt = 0.46, good_ctl = 0.265, ct = 0.83, female = 0.469,
    log_cor_vol = log(0.46), log_cor_evt_adj = log(2.22), prop_mediated = 0.12, dv1 = 2, dv5 = 10, dv10 = 20, ctl_mrs_chisq = 0)
} else c(vol_median_evt = 15.5, vol_median_ctl = 33.5, good_evt = 0.53, good_ctl = 0.293, death_evt = 0.104, death_ctl = 0.19,
         log_cor_evt = log(2.6))
res <- t(sapply(seeds, function(s) figs(read.csv(sprintf(pattern, s), stringsAsFactors = FALSE))))
if (cohort == "hermes" && length(args) >= 3) {
  mf <- read.csv(args[3])
  mf <- mf[match(seeds, mf$seed), ]
  for (k in c("log_cor_vol", "log_cor_evt_adj", "prop_mediated", "dv1", "dv5", "dv10")) res[, k] <- mf[[k]]
  res <- cbind(res, se_log_cor_evt = mf$se_log_cor_evt)
  target <- c(target, se_log_cor_evt = (log(3.21) - log(1.52)) / (2 * qnorm(0.975)))
}
sdv <- apply(res, 2, sd)
w <- ifelse(names(target) %in% c("log_cor_vol", "log_cor_evt_adj", "prop_mediated", "se_log_cor_evt"), 3, 1)
score <- apply(res, 1, function(r) sum(w * ((r - target) / sdv)^2))
# HERMES: only realisations that also meet the two figures the DGP was re-calibrated for (issue 5) are
# eligible: proportion explained within 3 points of 12 %, each volume delta within 15 % of 2/10/20 mL.
if (cohort == "hermes") {
  ok <- abs(res[, "prop_mediated"] - 0.12) <= 0.03 & apply(abs(sweep(res[, c("dv1", "dv5", "dv10")], 2, c(2, 10, 20), "/") - 1), 1, max) <= 0.15
  cat(sum(ok), "of", length(seeds), "seeds meet the proportion-explained and volume-delta windows\n")
  score[!ok] <- Inf
}
best <- order(score)[1:5]
cat("spread over seeds 1..200 (mean, sd):\n"); print(round(rbind(target = target, mean = colMeans(res), sd = sdv), 4))
cat("best seeds:\n"); print(round(cbind(seed = seeds[best], score = score[best], res[best, ]), 4))
