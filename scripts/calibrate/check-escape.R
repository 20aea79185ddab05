# Target vs realised for a generated ESCAPE-like CSV (the shipped one by default):
#   Rscript scripts/calibrate/check-escape.R [path.csv]
suppressPackageStartupMessages(library(ordinal))
args <- commandArgs(TRUE)
path <- if (length(args) >= 1) args[1] else "pipelines/data/escape_synthetic.csv"
d <- read.csv(path, stringsAsFactors = FALSE)
q <- function(x) paste0(round(median(x, na.rm = TRUE), 1), " (", round(quantile(x, .25, na.rm = TRUE), 1), "-", round(quantile(x, .75, na.rm = TRUE), 1), ")")
cat("file", path, "\nn", nrow(d), "evt", sum(d$evt), "ctl", sum(1 - d$evt), " MRI", sum(d$modality == "MRI", na.rm = TRUE), "CT", sum(d$modality == "CT", na.rm = TRUE), "unknown", sum(is.na(d$modality)), "\n")
cat("vol evt", q(d$fiv_ml[d$evt == 1]), " ctl", q(d$fiv_ml[d$evt == 0]), "\n")
cat("age", q(d$age), " female", round(100 * mean(d$sex_female), 1), " nihss", q(d$nihss), " nihss_24h evt", q(d$nihss_24h[d$evt == 1]), " ctl", q(d$nihss_24h[d$evt == 0]), "\n")
cat("recanalized evt", round(mean(d$recanalized[d$evt == 1]), 3), " ctl", round(mean(d$recanalized[d$evt == 0]), 3), "\n")
cat("mRS 0-2 evt", round(mean(d$mrs90[d$evt == 1] <= 2), 3), " ctl", round(mean(d$mrs90[d$evt == 0] <= 2), 3), " death evt", round(mean(d$mrs90[d$evt == 1] == 6), 3), " ctl", round(mean(d$mrs90[d$evt == 0] == 6), 3), "\n")
cat("missing %: aspects", round(100 * mean(is.na(d$aspects)), 2), " onset", round(100 * mean(is.na(d$onset_to_rand_min)), 2), " fiv", round(100 * mean(is.na(d$fiv_ml)), 2), "\n")
d$y <- factor(d$mrs90, levels = 0:6, ordered = TRUE)
m0 <- clm(y ~ evt, data = d)
cat("unadjusted EVT cOR (better outcome)", round(exp(-coef(m0)["evt"]), 3), "\n")
dc <- d[!is.na(d$fiv_ml), ]
m1 <- clm(y ~ I(fiv_ml^(1/3)) + delta_nihss + laterality + nihss + age + evt, data = dc)
print(round(coef(m1)[-(1:6)], 4))
