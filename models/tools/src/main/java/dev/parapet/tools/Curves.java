package dev.parapet.tools;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Ranking metrics of one category's scores against binary labels. */
final class Curves {

  private Curves() {}

  /** A point of the precision-recall curve. */
  record Point(double threshold, double precision, double recall) {}

  /**
   * Average precision (the area under the precision-recall step curve, as scikit-learn computes
   * it), or NaN without positives.
   */
  static double averagePrecision(double[] scores, boolean[] positive) {
    var curve = precisionRecall(scores, positive);
    if (curve.isEmpty()) {
      return Double.NaN;
    }
    double ap = 0;
    double previousRecall = 0;
    for (var point : curve) {
      ap += (point.recall() - previousRecall) * point.precision();
      previousRecall = point.recall();
    }
    return ap;
  }

  /** Points at every distinct score, from the highest threshold down. */
  static List<Point> precisionRecall(double[] scores, boolean[] positive) {
    int total = 0;
    for (boolean p : positive) {
      total += p ? 1 : 0;
    }
    var points = new ArrayList<Point>();
    if (total == 0) {
      return points;
    }
    Integer[] order = sortedDescending(scores);
    int tp = 0;
    int fp = 0;
    for (int i = 0; i < order.length; i++) {
      if (positive[order[i]]) {
        tp++;
      } else {
        fp++;
      }
      boolean last = i + 1 == order.length || scores[order[i + 1]] != scores[order[i]];
      if (last) {
        points.add(new Point(scores[order[i]], tp / (double) (tp + fp), tp / (double) total));
      }
    }
    return points;
  }

  /** The area under the ROC curve (ties count half), or NaN without both classes. */
  static double rocAuc(double[] scores, boolean[] positive) {
    Integer[] order = sortedDescending(scores);
    long positives = 0;
    long negatives = 0;
    for (boolean p : positive) {
      if (p) {
        positives++;
      } else {
        negatives++;
      }
    }
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    // Mann-Whitney U over ranks, ascending, with average ranks for ties.
    var ascending = order.clone();
    java.util.Collections.reverse(Arrays.asList(ascending));
    double rankSum = 0;
    int i = 0;
    while (i < ascending.length) {
      int j = i;
      while (j + 1 < ascending.length && scores[ascending[j + 1]] == scores[ascending[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (positive[ascending[k]]) {
          rankSum += rank;
        }
      }
      i = j + 1;
    }
    return (rankSum - positives * (positives + 1) / 2.0) / (positives * (double) negatives);
  }

  private static Integer[] sortedDescending(double[] scores) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
    return order;
  }
}
