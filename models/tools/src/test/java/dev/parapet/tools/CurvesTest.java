package dev.parapet.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CurvesTest {

  // scikit-learn: average_precision_score([0,0,1,1], [0.1,0.4,0.35,0.8]) == 0.8333...,
  // roc_auc_score(...) == 0.75
  private final double[] scores = {0.1, 0.4, 0.35, 0.8};
  private final boolean[] positive = {false, false, true, true};

  @Test
  void averagePrecision_matchesScikitLearn() {
    assertThat(Curves.averagePrecision(scores, positive)).isCloseTo(0.8333333, within(1e-6));
  }

  @Test
  void rocAuc_matchesScikitLearn() {
    assertThat(Curves.rocAuc(scores, positive)).isCloseTo(0.75, within(1e-9));
  }

  @Test
  void rocAuc_tiesCountHalf() {
    assertThat(Curves.rocAuc(new double[] {0.5, 0.5}, new boolean[] {true, false})).isEqualTo(0.5);
  }

  @Test
  void perfectRanking_scoresOne() {
    var s = new double[] {0.9, 0.8, 0.2, 0.1};
    var p = new boolean[] {true, true, false, false};
    assertThat(Curves.averagePrecision(s, p)).isEqualTo(1.0);
    assertThat(Curves.rocAuc(s, p)).isEqualTo(1.0);
  }

  @Test
  void noPositives_isUndefined() {
    assertThat(Curves.averagePrecision(scores, new boolean[4])).isNaN();
    assertThat(Curves.rocAuc(scores, new boolean[4])).isNaN();
  }
}
