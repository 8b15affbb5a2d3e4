package dev.parapet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The stream's window rules as pure functions: no threads, no clock. */
class StreamWindowsTest {

  @Test
  void cut_endsAtTheFirstSentenceWithinTheWindow() {
    assertThat(StreamWindows.cut("One. Two! Three", 400, false)).isEqualTo(5);
    assertThat(StreamWindows.cut("no sentence end yet", 400, false)).isZero();
    assertThat(StreamWindows.cut("no sentence end yet", 400, true)).isEqualTo(19);
  }

  @Test
  void cut_aFullWindowWithoutASentenceEnd_endsAfterItsLastSpace_elseAtTheLimit() {
    assertThat(StreamWindows.cut("aaaa bbbb cccc dddd", 16, false)).isEqualTo(15);
    assertThat(StreamWindows.cut("a".repeat(40), 16, false)).isEqualTo(16);
  }

  @Test
  void cut_neverSplitsASurrogatePair() {
    var text = "a".repeat(15) + "\uD83D\uDE00" + "b";
    assertThat(StreamWindows.cut(text, 16, true)).isEqualTo(15);
  }

  @Test
  void tail_isTheUnfinishedSentence_fromAWordStart() {
    assertThat(StreamWindows.tail("Done. And then the", 120)).isEqualTo("And then the");
    assertThat(StreamWindows.tail("Done. ", 120)).isEmpty();
    assertThat(StreamWindows.tail("alpha beta gamma delta", 10)).isEqualTo("delta");
  }

  @Test
  void lastPart_keepsAtMostRoomChars_fromAWordStart() {
    assertThat(StreamWindows.lastPart("alpha beta gamma", 100)).isEqualTo("alpha beta gamma");
    assertThat(StreamWindows.lastPart("alpha beta gamma", 8)).isEqualTo("gamma");
    assertThat(StreamWindows.lastPart("alpha beta gamma", -5)).isEmpty();
  }

  @Test
  void sentenceEnds_seeClosingQuotesAndNewlinesButNotAddresses() {
    assertThat(StreamWindows.sentenceEnd("He said \"stop.\" Then", 20)).isEqualTo(16);
    assertThat(StreamWindows.sentenceEnd("mail john.doe@example.org now", 29)).isZero();
    assertThat(StreamWindows.lastSentenceEnd("One. Two! Three", 0)).isEqualTo(10);
  }
}
