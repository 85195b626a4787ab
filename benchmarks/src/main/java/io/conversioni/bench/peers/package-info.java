/** The in-process peers conversioni measures itself against, fed the same seeded traffic as the pipeline benchmark. */
package io.conversioni.bench.peers;
