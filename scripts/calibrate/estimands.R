# The analysis quantities the pipelines estimate, computed on one data frame (complete cases).
suppressPackageStartupMessages({ library(ordinal) })
hermes_estimands <- function(d, deltas = TRUE) {
  d <- d[complete.cases(d[, c("fiv_ml","aspects","onset_to_rand_min","mrs90")]), ]
  d$occlusion <- factor(d$occlusion, levels = c("M1","ICA","M2"))
  d$y <- factor(d$mrs90, levels = 0:6, ordered = TRUE)
  d$cv <- d$fiv_ml^(1/3)
  cov <- "age + sex_female + nihss + aspects + occlusion + ivt + onset_to_rand_min"
  m1 <- clm(as.formula(paste("y ~ cv + evt +", cov)), data = d)
  m0 <- clm(as.formula(paste("y ~ evt +", cov)), data = d)
  # clm: logit P(mRS <= j) = theta_j - x'beta; a better-outcome common OR is exp(-beta)
  c_vol <- exp(-coef(m1)["cv"]); c_evt_adj <- exp(-coef(m1)["evt"]); c_evt_tot <- exp(-coef(m0)["evt"])
  out <- c(cor_vol_cbrt = unname(c_vol), cor_evt_adj = unname(c_evt_adj), cor_evt_total = unname(c_evt_tot),
           prop_mediated = unname(1 - log(c_evt_adj) / log(c_evt_tot)))
  if (deltas) {
    d$good <- as.integer(d$mrs90 <= 2)
    g <- glm(as.formula(paste("good ~ fiv_ml + evt +", cov)), family = binomial, data = d)
    b <- coef(g)["fiv_ml"]; lp <- predict(g)
    s <- d$fiv_ml < 80
    # volume decrease dv such that plogis(lp - b dv) = plogis(lp) + delta (b < 0)
    dv <- sapply(c(.01, .05, .10), function(del) {
      p1 <- plogis(lp[s]) + del; ok <- p1 < 1
      median(ifelse(ok, (qlogis(pmin(p1, 1 - 1e-12)) - lp[s]) / (-b), NA), na.rm = TRUE)
    })
    out <- c(out, logit_vol_per_ml = unname(b), dv1 = dv[1], dv5 = dv[2], dv10 = dv[3])
  }
  out
}
describe_hermes <- function(d) {
  q <- function(x) paste0(round(median(x, na.rm = TRUE), 1), " (", round(quantile(x, .25, na.rm = TRUE), 1), "-", round(quantile(x, .75, na.rm = TRUE), 1), ")")
  cat("n", nrow(d), "evt", sum(d$evt), "ctl", sum(1 - d$evt), "\n")
  cat("age", q(d$age), " female", round(100 * mean(d$sex_female), 1), " CT", round(100 * mean(d$modality == "CT", na.rm = TRUE), 1), "\n")
  cat("vol all", q(d$fiv_ml), " evt", q(d$fiv_ml[d$evt == 1]), " ctl", q(d$fiv_ml[d$evt == 0]), "\n")
  cat("mRS evt", q(d$mrs90[d$evt == 1]), " ctl", q(d$mrs90[d$evt == 0]), " 0-2 evt", round(100 * mean(d$mrs90[d$evt == 1] <= 2), 1), " ctl", round(100 * mean(d$mrs90[d$evt == 0] <= 2), 1), "\n")
  cat("ctl mRS %", round(100 * tabulate(d$mrs90[d$evt == 0] + 1, 7) / sum(d$evt == 0), 1), "\n")
  cat("evt mRS %", round(100 * tabulate(d$mrs90[d$evt == 1] + 1, 7) / sum(d$evt == 1), 1), "\n")
}
