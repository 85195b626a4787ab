/**
 * Files only their owner can read: directories created 0700 and files 0600 whatever the umask, and the
 * tightening of folders made by older versions with wider modes.
 */
package io.conversioni.files;
