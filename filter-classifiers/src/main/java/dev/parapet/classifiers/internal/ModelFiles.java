package dev.parapet.classifiers.internal;

import dev.parapet.classifiers.ClassifierException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The files of a model in the Optimum layout, read from a directory or a classpath root. Internal.
 *
 * @param location where they came from, for messages
 * @param model {@code model.onnx}
 * @param tokenizer {@code tokenizer.json}
 * @param config {@code config.json}, or {@code null} when absent
 * @param graphConfig the graph's own {@code config.json} when {@code config} is a label view's
 *     ({@code parapet.view_of}), else {@code config}: a view takes the graph's settings it does not
 *     state itself, such as the window
 */
public record ModelFiles(
    String location, byte[] model, byte[] tokenizer, byte[] config, byte[] graphConfig) {

  /** Files of a model that is not a label view. */
  public ModelFiles(String location, byte[] model, byte[] tokenizer, byte[] config) {
    this(location, model, tokenizer, config, config);
  }

  /** The model graph's file name. */
  public static final String MODEL = "model.onnx";

  /** The tokenizer's file name. */
  public static final String TOKENIZER = "tokenizer.json";

  /** The configuration's file name. */
  public static final String CONFIG = "config.json";

  /** Reads the files of a model directory. */
  public static ModelFiles fromDirectory(Path directory, boolean configRequired) {
    if (!Files.isDirectory(directory)) {
      throw new ClassifierException("model directory " + directory + " does not exist");
    }
    var config = read(directory.resolve(CONFIG), configRequired);
    var graph =
        config == null ? null : ModelConfig.viewOf(config, directory.resolve(CONFIG).toString());
    var graphDirectory = graph == null ? directory : directory.resolveSibling(graph);
    return new ModelFiles(
        directory.toString(),
        read(graphDirectory.resolve(MODEL), true),
        read(graphDirectory.resolve(TOKENIZER), true),
        config,
        graph == null ? config : read(graphDirectory.resolve(CONFIG), true));
  }

  /**
   * Reads the files under a classpath root such as {@code dev/parapet/models/content-safety}. A
   * root holding only a view's {@code config.json} ({@code parapet.view_of}) takes the graph and
   * tokenizer of the sibling directory it names.
   */
  public static ModelFiles fromClasspath(String root, ClassLoader loader, boolean configRequired) {
    var prefix = root.endsWith("/") ? root : root + "/";
    if (prefix.startsWith("/")) {
      prefix = prefix.substring(1);
    }
    var config = resource(loader, prefix + CONFIG, configRequired);
    var graph = config == null ? null : ModelConfig.viewOf(config, "classpath:" + prefix + CONFIG);
    var graphPrefix = graph == null ? prefix : parentOf(prefix) + graph + "/";
    return new ModelFiles(
        "classpath:" + prefix,
        resource(loader, graphPrefix + MODEL, true),
        resource(loader, graphPrefix + TOKENIZER, true),
        config,
        graph == null ? config : resource(loader, graphPrefix + CONFIG, true));
  }

  private static String parentOf(String prefix) {
    var trimmed = prefix.substring(0, prefix.length() - 1);
    int slash = trimmed.lastIndexOf('/');
    return slash < 0 ? "" : trimmed.substring(0, slash + 1);
  }

  /** Names a file of this model in messages. */
  public String name(String file) {
    return location.endsWith("/") ? location + file : location + "/" + file;
  }

  private static byte[] read(Path file, boolean required) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      if (required) {
        throw new ClassifierException("missing model file " + file);
      }
      return null;
    } catch (IOException e) {
      throw new ClassifierException("cannot read model file " + file, e);
    }
  }

  private static byte[] resource(ClassLoader loader, String name, boolean required) {
    try (InputStream in = loader.getResourceAsStream(name)) {
      if (in == null) {
        if (required) {
          throw new ClassifierException("missing model file classpath:" + name);
        }
        return null;
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ClassifierException("cannot read model file classpath:" + name, e);
    }
  }
}
