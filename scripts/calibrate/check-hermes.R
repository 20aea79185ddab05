# Target vs realised for a generated HERMES-like CSV (the shipped one by default):
#   Rscript scripts/calibrate/check-hermes.R [path.csv] [json-out]
# Prints the marginal figures of issue 5 and the analysis estimands (complete cases), optionally as JSON.
args <- commandArgs(TRUE)
path <- if (length(args) >= 1) args[1] else "pipelines/data/hermes_synthetic.csv"
source("scripts/calibrate/estimands.R")
d <- read.csv(path, stringsAsFactors = FALSE)
cat("file", path, "\n")
describe_hermes(d)
cat("missing %: aspects", round(100 * mean(is.na(d$aspects)), 2), " onset", round(100 * mean(is.na(d$onset_to_rand_min)), 2),
    " fiv", round(100 * mean(is.na(d$fiv_ml)), 2), " modality", round(100 * mean(is.na(d$modality)), 2), "\n")
e <- suppressWarnings(hermes_estimands(d))
print(round(e, 4))
if (length(args) >= 2) {
  q <- function(x) unname(quantile(x, c(.25, .5, .75), na.rm = TRUE))
  out <- list(n = nrow(d), evt = sum(d$evt), age = q(d$age), female = mean(d$sex_female), ct = mean(d$modality == "CT", na.rm = TRUE),
              fiv_all = q(d$fiv_ml), fiv_evt = q(d$fiv_ml[d$evt == 1]), fiv_ctl = q(d$fiv_ml[d$evt == 0]),
              mrs_evt = q(d$mrs90[d$evt == 1]), mrs_ctl = q(d$mrs90[d$evt == 0]),
              good_evt = mean(d$mrs90[d$evt == 1] <= 2), good_ctl = mean(d$mrs90[d$evt == 0] <= 2),
              mrs_ctl_dist = tabulate(d$mrs90[d$evt == 0] + 1, 7) / sum(d$evt == 0),
              missing = list(aspects = mean(is.na(d$aspects)), onset = mean(is.na(d$onset_to_rand_min)), fiv = mean(is.na(d$fiv_ml))),
              estimands = as.list(e))
  jsonlite::write_json(out, args[2], digits = NA, auto_unbox = TRUE, pretty = TRUE)
}
