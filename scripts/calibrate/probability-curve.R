# The adjusted probability of mRS 0-2 against follow-up volume, from the logistic model the
# volume-delta pipeline fits (volume in mL, linear, plus the HERMES covariates), averaged over patients
# (marginal standardisation) — and the true curve of the DGP for comparison, averaged the same way:
#   Rscript scripts/calibrate/probability-curve.R [path.csv]
# Checks the shape targeted in issue 5: near-linear below 80 mL, flattening above.
args <- commandArgs(TRUE)
path <- if (length(args) >= 1) args[1] else "pipelines/data/hermes_synthetic.csv"
d <- read.csv(path)
d <- d[complete.cases(d[, c("fiv_ml", "aspects", "onset_to_rand_min")]), ]
d$occlusion <- factor(d$occlusion, levels = c("M1", "ICA", "M2"))
d$good <- as.integer(d$mrs90 <= 2)
g <- glm(good ~ fiv_ml + evt + age + sex_female + nihss + aspects + occlusion + ivt + onset_to_rand_min, family = binomial, data = d)
v <- c(0, 10, 20, 40, 60, 80, 100, 120, 160, 200, 250, 300)
fitted_curve <- sapply(v, function(x) { nd <- d; nd$fiv_ml <- x; mean(predict(g, nd, type = "response")) })
# True P(mRS <= 2 | x) = plogis(theta_2 - out_volume_good x^(1/3) - eta), eta from the DGP (src/stats/simulate/hermes.ts)
th2 <- 1.8244
b_vol <- 0.747 + 0.16  # out_volume + out_volume_good: the volume effect on the mRS 0-2 split
occ <- c(M1 = 0, ICA = 0.15, M2 = -0.1)
eta0 <- -log(2.235) * d$evt + 0.35 * (d$age - 68) / 10 + 0.04 * (d$nihss - 17) - 0.05 * (d$aspects - 9) +
  occ[as.character(d$occlusion)] - 0.15 * d$ivt + 0.1 * (d$onset_to_rand_min - 190) / 60
true_curve <- sapply(v, function(x) mean(plogis(th2 - eta0 - b_vol * x^(1/3))))
print(round(data.frame(volume_ml = v, fitted = fitted_curve, true = true_curve), 3))
cat("slope per mL (points of probability): 0-40", round(100 * (fitted_curve[1] - fitted_curve[4]) / 40, 3),
    " 40-80", round(100 * (fitted_curve[4] - fitted_curve[6]) / 40, 3), " 120-200", round(100 * (fitted_curve[8] - fitted_curve[10]) / 80, 3), "\n")
