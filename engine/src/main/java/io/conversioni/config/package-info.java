/**
 * Configuration: the YAML file read once into typed, validated objects, with errors that name the key
 * and the bad value.
 */
package io.conversioni.config;
