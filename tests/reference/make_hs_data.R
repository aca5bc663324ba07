# Writes the Holzinger-Swineford copies used by generate.R: the full data (with school) and an
# incomplete copy for FIML (missing at random given x4, plus some completely at random). Run once
# from the repository root: Rscript tests/reference/make_hs_data.R (the CSVs are committed).
suppressMessages(library(lavaan))
d <- HolzingerSwineford1939
d$school <- as.character(d$school)
write.csv(d, "tests/reference/data/holzinger_swineford_full.csv", row.names = FALSE)
# incomplete copy for FIML: values missing at random given other variables (and some MCAR)
set.seed(20261122)
m <- d[, c("id", "school", paste0("x", 1:9))]
p_mar <- plogis(-2.2 + 0.9 * scale(m$x4))        # x1-x3 more often missing for high x4
for (v in c("x1", "x2", "x3")) m[[v]][runif(nrow(m)) < p_mar] <- NA
for (v in c("x5", "x7", "x9")) m[[v]][runif(nrow(m)) < 0.08] <- NA
m$x8[runif(nrow(m)) < 0.05 & is.na(m$x7)] <- NA
write.csv(m, "tests/reference/data/holzinger_swineford_missing.csv", row.names = FALSE, na = "")
cat(colSums(is.na(m)), sum(complete.cases(m)), "\n")
