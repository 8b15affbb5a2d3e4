package dev.parapet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/** Parses and validates policy JSON; every error names the bad entry by its path. */
final class PolicyParser {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final Set<String> ROOT_KEYS = Set.of("version", "defaultProfile", "profiles");
  private static final Set<String> PROFILE_KEYS =
      Set.of("shadow", "parallel", "thresholds", "refusals");
  private static final Map<String, Decision> THRESHOLD_KEYS =
      Map.of("flag", Decision.FLAG, "redact", Decision.REDACT, "block", Decision.BLOCK);

  private PolicyParser() {}

  /** Parses a whole policy, or throws naming the first bad entry. */
  static Policy parse(String json, String source) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      // Jackson's limits (nesting depth, string length) report no location.
      var where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
      throw new PolicyException(
          source + ": not valid JSON" + where + ": " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw bad(source, "(root)", "must be a JSON object");
    }
    requireKnownKeys(source, "", root, ROOT_KEYS);
    var version = root.get("version");
    if (version != null && !(version.isInt() && version.intValue() == 1)) {
      throw bad(source, "version", "must be 1, was " + version);
    }
    var profiles = root.get("profiles");
    if (profiles == null || !profiles.isObject() || profiles.isEmpty()) {
      throw bad(source, "profiles", "must be a non-empty object of profiles");
    }
    var builder = Policy.builder();
    for (Iterator<Map.Entry<String, JsonNode>> it = profiles.fields(); it.hasNext(); ) {
      var entry = it.next();
      builder.profile(profile(source, entry.getKey(), entry.getValue()));
    }
    var defaultProfile = root.get("defaultProfile");
    if (defaultProfile != null) {
      if (!defaultProfile.isTextual() || !profiles.has(defaultProfile.textValue())) {
        throw bad(source, "defaultProfile", "must name one of " + iterable(profiles.fieldNames()));
      }
      builder.defaultProfile(defaultProfile.textValue());
    }
    return builder.build();
  }

  private static Profile profile(String source, String name, JsonNode node) {
    var path = "profiles." + name;
    if (name.isBlank()) {
      throw bad(source, path, "profile name must not be blank");
    }
    if (!node.isObject()) {
      throw bad(source, path, "must be an object");
    }
    requireKnownKeys(source, path + ".", node, PROFILE_KEYS);
    var builder = Profile.builder(name);
    var shadow = node.get("shadow");
    if (shadow != null) {
      if (!shadow.isBoolean()) {
        throw bad(source, path + ".shadow", "must be true or false, was " + shadow);
      }
      builder.shadow(shadow.booleanValue());
    }
    var parallel = node.get("parallel");
    if (parallel != null) {
      if (!parallel.isBoolean()) {
        throw bad(source, path + ".parallel", "must be true or false, was " + parallel);
      }
      builder.parallel(parallel.booleanValue());
    }
    var thresholds = node.get("thresholds");
    if (thresholds == null || !thresholds.isObject()) {
      throw bad(source, path + ".thresholds", "must be an object of categories");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = thresholds.fields(); it.hasNext(); ) {
      var entry = it.next();
      var categoryPath = path + ".thresholds." + entry.getKey();
      if (entry.getKey().isBlank()) {
        throw bad(source, categoryPath, "category must not be blank");
      }
      var values = entry.getValue();
      if (!values.isObject() || values.isEmpty()) {
        throw bad(source, categoryPath, "must be an object with flag, redact and/or block");
      }
      requireKnownKeys(source, categoryPath + ".", values, THRESHOLD_KEYS.keySet());
      // Set thresholds in severity order so the ordering error names the higher one.
      for (var decision : new Decision[] {Decision.FLAG, Decision.REDACT, Decision.BLOCK}) {
        var key = decision.name().toLowerCase(java.util.Locale.ROOT);
        var value = values.get(key);
        if (value == null) {
          continue;
        }
        if (!value.isNumber()) {
          throw bad(source, categoryPath + "." + key, "must be a number in [0, 1], was " + value);
        }
        try {
          builder.threshold(entry.getKey(), decision, value.doubleValue());
        } catch (IllegalArgumentException e) {
          throw bad(source, categoryPath + "." + key, e.getMessage());
        }
      }
    }
    var refusals = node.get("refusals");
    if (refusals != null) {
      if (!refusals.isObject()) {
        throw bad(source, path + ".refusals", "must be an object of category to refusal text");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = refusals.fields(); it.hasNext(); ) {
        var entry = it.next();
        var refusalPath = path + ".refusals." + entry.getKey();
        if (!entry.getValue().isTextual()) {
          throw bad(source, refusalPath, "must be a text, was " + entry.getValue().getNodeType());
        }
        try {
          builder.refusal(entry.getKey(), entry.getValue().textValue());
        } catch (IllegalArgumentException e) {
          throw bad(source, refusalPath, e.getMessage());
        }
      }
    }
    return builder.build();
  }

  private static void requireKnownKeys(
      String source, String prefix, JsonNode node, Set<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      var key = it.next();
      if (!known.contains(key)) {
        throw bad(
            source,
            prefix + key,
            "unknown key; expected one of " + known.stream().sorted().toList());
      }
    }
  }

  private static PolicyException bad(String source, String path, String problem) {
    return new PolicyException(source + ": " + path + ": " + problem);
  }

  private static java.util.List<String> iterable(Iterator<String> names) {
    var list = new java.util.ArrayList<String>();
    names.forEachRemaining(list::add);
    return list;
  }
}
