/**
 * Strict, zero-allocation JSON reading over byte arrays (RFC 8259, UTF-8 checked, exact decimals),
 * and a small allocating tree for configuration and schema files.
 */
package io.conversioni.json;
