#include "keel/strategy/target_weights.hpp"

#include <gtest/gtest.h>

namespace keel::strategy {
namespace {

using Scores = std::map<std::string, double, std::less<>>;

TEST(TargetWeights, ProportionalAndRankWeights) {
  const Scores s{{"A", 2.0}, {"B", -1.0}, {"C", 1.0}};
  // Proportional long-only: positives 2 + 1 = 3: A 2/3, C 1/3 (x gross 0.9).
  auto w = weights_from_scores(s, ScoreWeighting::kProportional, true, 0.9);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_DOUBLE_EQ(w["A"], 0.9 * 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(w["C"], 0.9 * 1.0 / 3.0);
  // Long-short: Σ|s| = 4: A 0.5, B -0.25, C 0.25.
  w = weights_from_scores(s, ScoreWeighting::kProportional, false, 1.0);
  EXPECT_DOUBLE_EQ(w["A"], 0.5);
  EXPECT_DOUBLE_EQ(w["B"], -0.25);
  EXPECT_DOUBLE_EQ(w["C"], 0.25);
  // Rank long-only: ranks B 1, C 2, A 3; Σ = 6: A 1/2, C 1/3, B 1/6.
  w = weights_from_scores(s, ScoreWeighting::kRank, true, 1.0);
  EXPECT_DOUBLE_EQ(w["A"], 0.5);
  EXPECT_DOUBLE_EQ(w["C"], 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(w["B"], 1.0 / 6.0);
  // Rank long-short: centred ranks -1, 0, +1; Σ|c| = 2: A +0.5, B -0.5, C not held.
  w = weights_from_scores(s, ScoreWeighting::kRank, false, 1.0);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_DOUBLE_EQ(w["A"], 0.5);
  EXPECT_DOUBLE_EQ(w["B"], -0.5);
}

TEST(TargetWeights, CsvScoreIsUsableOnlyFromItsDatesClose) {
  auto rows = parse_score_csv("date,symbol,score\n2023-01-05,A,1.5\n2023-01-03,A,-1\n2023-01-04,B,2\n", "s.csv");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  // At the close of 2023-01-04: A's 01-03 score and B's 01-04 score; A's 01-05 not yet.
  auto s = scores_as_of(*rows, Date::ymd(2023, 1, 4));
  EXPECT_EQ(s, (Scores{{"A", -1.0}, {"B", 2.0}}));
  s = scores_as_of(*rows, Date::ymd(2023, 1, 5));  // its own date's close: usable
  EXPECT_EQ(s, (Scores{{"A", 1.5}, {"B", 2.0}}));
  EXPECT_TRUE(scores_as_of(*rows, Date::ymd(2023, 1, 2)).empty());
}

TEST(TargetWeights, CsvErrorsNameFileAndLine) {
  EXPECT_EQ(parse_score_csv("day,symbol,score\n", "s.csv").error().message, "s.csv:1: header must be date,symbol,score");
  EXPECT_EQ(parse_score_csv("date,symbol,score\n2023-01-05,A,abc\n", "s.csv").error().message,
            "s.csv:2: score 'abc' is not a finite number");
  EXPECT_EQ(parse_score_csv("date,symbol,score\n2023-13-05,A,1\n", "s.csv").error().message,
            "s.csv:2: date '2023-13-05' is not YYYY-MM-DD");
  EXPECT_EQ(parse_score_csv("date,symbol,score\n2023-01-05,A,1\n2023-01-05,A,2\n", "s.csv").error().message,
            "s.csv: two scores for A on 2023-01-05");
  auto cfg = parse_target_weights_config(toml::parse("symbols = [\"A\"]\nsource = \"csv\"\ncsv = \"/nonexistent.csv\"\n"),
                                         "t.toml");
  EXPECT_EQ(cfg.error().message, "t.toml:3: target_weights.csv = \"/nonexistent.csv\": cannot open the file");
}

}  // namespace
}  // namespace keel::strategy
