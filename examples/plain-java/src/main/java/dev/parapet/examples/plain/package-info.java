/** A plain Java service guarding its model call with Parapet. */
package dev.parapet.examples.plain;
