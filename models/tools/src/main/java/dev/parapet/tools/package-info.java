/** The command-line tools behind {@code bin/parapet}. Not API. */
package dev.parapet.tools;
