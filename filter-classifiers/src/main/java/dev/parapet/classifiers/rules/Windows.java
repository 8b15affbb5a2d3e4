package dev.parapet.classifiers.rules;

/**
 * Where in a text a rule's expression can match, found by a plain scan of the chars: the regular
 * expression then runs only on those short windows instead of the whole text. RE2/J scans at tens
 * of megabytes a second, a char loop at gigabytes; in ordinary prose most rules find no anchor at
 * all.
 */
@FunctionalInterface
interface Windows {

  /** Receives windows {@code [from, to)} in increasing order of {@code from}. */
  @FunctionalInterface
  interface Sink {
    void accept(int from, int to);
  }

  /** Emits the windows of a text. */
  void find(String text, Sink sink);

  /** The whole text: for patterns without a known anchor. */
  Windows WHOLE = (text, sink) -> sink.accept(0, text.length());

  /** Around every occurrence of a char. */
  static Windows around(char anchor, int before, int after) {
    return (text, sink) -> {
      for (int at = text.indexOf(anchor); at >= 0; at = text.indexOf(anchor, at + 1)) {
        sink.accept(Math.max(0, at - before), Math.min(text.length(), at + after + 1));
      }
    };
  }

  /** Around every occurrence of any of the literals. */
  static Windows literals(int before, int after, String... literals) {
    return (text, sink) -> {
      // Literal hits come per literal; collect and sort so windows stay in increasing order.
      var hits = new java.util.ArrayList<Integer>();
      for (var literal : literals) {
        for (int at = text.indexOf(literal); at >= 0; at = text.indexOf(literal, at + 1)) {
          hits.add(at);
        }
      }
      hits.sort(null);
      for (int at : hits) {
        sink.accept(
            Math.max(0, at - before),
            after < 0 ? text.length() : Math.min(text.length(), at + after));
      }
    };
  }

  /**
   * Around every cluster of digits and number punctuation ({@code +()-. } and spaces between
   * digits) holding at least {@code minDigits} digits: where card, phone, SSN and IPv4 numbers can
   * be.
   */
  static Windows digitClusters(int minDigits) {
    return (text, sink) -> {
      int n = text.length();
      int i = 0;
      while (i < n) {
        if (!Character.isDigit(text.charAt(i))) {
          i++;
          continue;
        }
        int start = i;
        int digits = 0;
        int end = i;
        while (i < n) {
          char c = text.charAt(i);
          if (c >= '0' && c <= '9') {
            digits++;
            end = ++i;
          } else if ((c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+')
              && i + 1 < n
              && (Character.isDigit(text.charAt(i + 1))
                  || text.charAt(i + 1) == '('
                  || text.charAt(i + 1) == ' ')) {
            i++;
          } else {
            break;
          }
        }
        if (digits >= minDigits) {
          sink.accept(Math.max(0, start - 6), Math.min(n, end + 1));
        }
        if (i == start) {
          i++;
        }
      }
    };
  }

  /** Around every {@code @}: from the start of the local part to the end of the domain. */
  static Windows emails() {
    return (text, sink) -> {
      int n = text.length();
      for (int at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
        int start = at;
        while (start > 0 && at - start < 64 && emailChar(text.charAt(start - 1))) {
          start--;
        }
        int end = at + 1;
        while (end < n && end - at < 256 && emailChar(text.charAt(end))) {
          end++;
        }
        sink.accept(start, end);
      }
    };
  }

  private static boolean emailChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '%'
        || c == '+'
        || c == '-'
        || (c >= 0x80
            && (Character.isLetterOrDigit(c)
                || Character.getType(c) == Character.NON_SPACING_MARK));
  }

  /** At every two ASCII letters followed by two digits: where an IBAN (in any case) can start. */
  static Windows ibanStarts(int length) {
    return (text, sink) -> {
      for (int i = 0; i + 3 < text.length(); i++) {
        char a = (char) (text.charAt(i) | 0x20); // ASCII lower case
        if (a >= 'a' && a <= 'z') {
          char b = (char) (text.charAt(i + 1) | 0x20);
          if (b >= 'a'
              && b <= 'z'
              && Character.isDigit(text.charAt(i + 2))
              && Character.isDigit(text.charAt(i + 3))) {
            sink.accept(Math.max(0, i - 1), Math.min(text.length(), i + length));
          }
        }
      }
    };
  }
}
