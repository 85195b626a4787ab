/**
 * What the engine asks of Linux beyond the JDK, through libc: the journal's page cache, huge pages for the
 * off-heap tables. Everything here degrades to doing nothing where the calls are missing.
 */
package io.conversioni.os;
