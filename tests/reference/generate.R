# Reference values from R for the test suite. Run from the repository root:
#   Rscript tests/reference/generate.R
# Writes tests/reference/*.json (full precision). Tests read the JSON; they never need R.
suppressPackageStartupMessages({library(psych); library(jsonlite)})

meta <- function(call) list(call = call, r_version = R.version.string,
                            packages = list(psych = as.character(packageVersion("psych"))))

# ---- scale scores: psych::scoreItems(keys, impute = "none") on the example data -------------------
d <- read.csv("data/vpc_teachers_example.csv", stringsAsFactors = FALSE)
d[d == -99 | d == -98] <- NA          # declared missing codes, as psychometrics does
spec <- fromJSON("tests/reference/vpc_keys.json", simplifyVector = FALSE)
scores <- list()
for (scale in names(spec$keys)) {
  keys <- unlist(spec$keys[[scale]])
  rng <- unlist(spec$range[[scale]])
  items <- sub("^-", "", keys)
  kl <- list(keys); names(kl) <- scale
  s <- scoreItems(kl, d[, items, drop = FALSE], impute = "none", min = rng[1], max = rng[2])
  scores[[scale]] <- as.numeric(s$scores[, 1])
}
out <- c(meta("psych::scoreItems(keys, x, impute = 'none', min = , max = ) per scale"),
         list(input = "data/vpc_teachers_example.csv (-99, -98 set to NA)", ids = d$id, scores = scores))
write_json(out, "tests/reference/score_items_vpc_example.json", digits = NA, auto_unbox = TRUE, na = "null")
cat("wrote tests/reference/score_items_vpc_example.json\n")
