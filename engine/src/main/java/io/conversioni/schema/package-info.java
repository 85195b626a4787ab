/**
 * Compiles a JSON Schema (draft 2020-12 subset) once at start-up into an immutable tree, and validates
 * JSON bytes against it in one pass with no allocation, reporting every violation per field.
 */
package io.conversioni.schema;
