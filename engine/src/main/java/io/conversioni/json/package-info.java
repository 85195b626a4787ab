/**
 * Strict, zero-allocation JSON reading over byte arrays (RFC 8259, UTF-8 checked, exact decimals),
 * a small allocating tree for configuration and schema files, and {@code JsonBuilder}, how JSON is written.
 */
package io.conversioni.json;
