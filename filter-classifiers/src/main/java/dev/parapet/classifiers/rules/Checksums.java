package dev.parapet.classifiers.rules;

import java.math.BigInteger;
import java.util.Map;

/** The validity checks behind PII matches: Luhn, issuer prefixes, IBAN mod-97, SSN ranges, IPs. */
final class Checksums {

  /** IBAN lengths by country (ISO 13616 registry). */
  private static final Map<String, Integer> IBAN_LENGTHS =
      Map.ofEntries(
          Map.entry("AD", 24),
          Map.entry("AE", 23),
          Map.entry("AL", 28),
          Map.entry("AT", 20),
          Map.entry("AZ", 28),
          Map.entry("BA", 20),
          Map.entry("BE", 16),
          Map.entry("BG", 22),
          Map.entry("BH", 22),
          Map.entry("BR", 29),
          Map.entry("CH", 21),
          Map.entry("CR", 22),
          Map.entry("CY", 28),
          Map.entry("CZ", 24),
          Map.entry("DE", 22),
          Map.entry("DK", 18),
          Map.entry("DO", 28),
          Map.entry("EE", 20),
          Map.entry("EG", 29),
          Map.entry("ES", 24),
          Map.entry("FI", 18),
          Map.entry("FO", 18),
          Map.entry("FR", 27),
          Map.entry("GB", 22),
          Map.entry("GE", 22),
          Map.entry("GI", 23),
          Map.entry("GL", 18),
          Map.entry("GR", 27),
          Map.entry("GT", 28),
          Map.entry("HR", 21),
          Map.entry("HU", 28),
          Map.entry("IE", 22),
          Map.entry("IL", 23),
          Map.entry("IS", 26),
          Map.entry("IT", 27),
          Map.entry("JO", 30),
          Map.entry("KW", 30),
          Map.entry("KZ", 20),
          Map.entry("LB", 28),
          Map.entry("LI", 21),
          Map.entry("LT", 20),
          Map.entry("LU", 20),
          Map.entry("LV", 21),
          Map.entry("MC", 27),
          Map.entry("MD", 24),
          Map.entry("ME", 22),
          Map.entry("MK", 19),
          Map.entry("MR", 27),
          Map.entry("MT", 31),
          Map.entry("MU", 30),
          Map.entry("NL", 18),
          Map.entry("NO", 15),
          Map.entry("PK", 24),
          Map.entry("PL", 28),
          Map.entry("PS", 29),
          Map.entry("PT", 25),
          Map.entry("QA", 29),
          Map.entry("RO", 24),
          Map.entry("RS", 22),
          Map.entry("SA", 24),
          Map.entry("SE", 24),
          Map.entry("SI", 19),
          Map.entry("SK", 24),
          Map.entry("SM", 27),
          Map.entry("TN", 24),
          Map.entry("TR", 26),
          Map.entry("UA", 29),
          Map.entry("VG", 24),
          Map.entry("XK", 20));

  private static final BigInteger NINETY_SEVEN = BigInteger.valueOf(97);

  private Checksums() {}

  /** Returns whether a digit string passes the Luhn check. */
  static boolean luhn(String digits) {
    int sum = 0;
    boolean twice = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digits.charAt(i) - '0';
      if (twice) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      twice = !twice;
    }
    return sum % 10 == 0;
  }

  /** Returns whether 13-19 digits carry a known card issuer prefix of a fitting length. */
  static boolean knownIssuer(String digits) {
    int n = digits.length();
    int p2 = Integer.parseInt(digits.substring(0, 2));
    int p3 = Integer.parseInt(digits.substring(0, 3));
    int p4 = Integer.parseInt(digits.substring(0, 4));
    int p6 = Integer.parseInt(digits.substring(0, 6));
    if (digits.charAt(0) == '4') {
      return n == 13 || n == 16 || n == 19; // Visa
    }
    if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) {
      return n == 16; // Mastercard
    }
    if (p2 == 34 || p2 == 37) {
      return n == 15; // American Express
    }
    if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) {
      return n >= 16 && n <= 19; // Discover
    }
    if (p4 >= 3528 && p4 <= 3589) {
      return n >= 16 && n <= 19; // JCB
    }
    if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39) {
      return n >= 14 && n <= 19; // Diners Club
    }
    if (p2 == 62) {
      return n >= 16 && n <= 19; // UnionPay
    }
    return false;
  }

  /** Returns whether a compact IBAN (no spaces) has its country's length and passes mod-97. */
  static boolean iban(String iban) {
    if (iban.length() < 4) {
      return false;
    }
    var expected = IBAN_LENGTHS.get(iban.substring(0, 2));
    if (expected == null || expected != iban.length()) {
      return false;
    }
    var rearranged = iban.substring(4) + iban.substring(0, 4);
    var numeric = new StringBuilder(rearranged.length() * 2);
    for (int i = 0; i < rearranged.length(); i++) {
      char c = rearranged.charAt(i);
      if (c >= '0' && c <= '9') {
        numeric.append(c);
      } else if (c >= 'A' && c <= 'Z') {
        numeric.append(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return new BigInteger(numeric.toString()).mod(NINETY_SEVEN).intValue() == 1;
  }

  /**
   * Returns whether {@code AAA-GG-SSSS} is a possible US SSN: not area 000, 666 or 9xx, group 00,
   * serial 0000.
   */
  static boolean ssn(String ssn) {
    if (!ssn.matches("\\d{3}-\\d{2}-\\d{4}")) {
      return false;
    }
    int area = Integer.parseInt(ssn.substring(0, 3));
    int group = Integer.parseInt(ssn.substring(4, 6));
    int serial = Integer.parseInt(ssn.substring(7, 11));
    return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
  }

  /** Returns whether a dotted quad has four octets of at most 255, without leading zeros. */
  static boolean ipv4(String text) {
    var parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (var part : parts) {
      if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
        return false;
      }
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns whether a text is an IPv6 address in full or compressed form (no zone, no IPv4 tail).
   */
  static boolean ipv6(String text) {
    int doubleColon = text.indexOf("::");
    if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
      return false;
    }
    String[] groups;
    if (doubleColon >= 0) {
      var head = text.substring(0, doubleColon);
      var tail = text.substring(doubleColon + 2);
      var h = head.isEmpty() ? new String[0] : head.split(":", -1);
      var t = tail.isEmpty() ? new String[0] : tail.split(":", -1);
      if (h.length + t.length > 7
          || h.length + t.length < 2
          || text.length() - 2 - (h.length + t.length - 2) < 5) {
        return false; // "::1", "a::b" are too short to tell from code such as "std::x" or "a::b"
      }
      groups = new String[h.length + t.length];
      System.arraycopy(h, 0, groups, 0, h.length);
      System.arraycopy(t, 0, groups, h.length, t.length);
    } else {
      groups = text.split(":", -1);
      if (groups.length != 8) {
        return false;
      }
    }
    for (var group : groups) {
      if (group.isEmpty() || group.length() > 4) {
        return false;
      }
      for (int i = 0; i < group.length(); i++) {
        if (Character.digit(group.charAt(i), 16) < 0) {
          return false;
        }
      }
    }
    return true;
  }
}
