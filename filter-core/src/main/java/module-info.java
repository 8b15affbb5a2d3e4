/**
 * Parapet's filter core: the API a deployer uses ({@code dev.parapet}) and the interfaces a stage
 * implements ({@code dev.parapet.spi}). Everything else is internal and not exported.
 */
module dev.parapet.core {
  requires transitive micrometer.core; // MeterRegistry on the builder
  requires transitive com.github.benmanes.caffeine; // the verdict cache's Ticker on the builder
  requires com.fasterxml.jackson.databind; // policy files and the JSON-lines audit sink
  requires com.ibm.icu; // Unicode's confusables data

  exports dev.parapet;
  exports dev.parapet.spi;
}
