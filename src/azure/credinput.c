#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "azure/credinput.h"
#include "util/secret.h"

#define ENV_PASSWORD "SSHTRIAGE_NEW_PASSWORD"
#define ENV_PASSWORD_FILE "SSHTRIAGE_NEW_PASSWORD_FILE"

/* The password taken out of the environment at start, until credinput_gather moves it. */
static char *taken_password;

void credinput_take_env(void)
{
	char *pw = secret_take_env(ENV_PASSWORD);

	if (pw && !taken_password)
		taken_password = pw;
	else
		secret_free(pw);
}

void credinput_drop(void)
{
	secret_free(taken_password);
	taken_password = NULL;
}

int credinput_read_key(const char *path, struct vm_creds *cr, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char *text = NULL, why[200];
	ssize_t n = -1;

	if (fd < 0) {
		snprintf(err, errlen, "--public-key %.200s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= CREDS_KEY_MAX &&
	    (text = malloc(CREDS_KEY_MAX + 1)))
		n = read(fd, text, CREDS_KEY_MAX + 1);
	close(fd);
	if (n < 0 || n > CREDS_KEY_MAX) {
		free(text);
		snprintf(err, errlen, "--public-key %.200s: not a regular file of at most %d bytes",
			 path, CREDS_KEY_MAX);
		return -1;
	}
	free(cr->pubkey);
	cr->pubkey = creds_pubkey_line(text, (size_t)n, cr->key_info, sizeof(cr->key_info), why,
				       sizeof(why));
	/* a private key given by mistake: its bytes leave memory with the buffer */
	explicit_bzero(text, CREDS_KEY_MAX + 1);
	free(text);
	if (!cr->pubkey) {
		snprintf(err, errlen, "--public-key %.200s: %s", path, why);
		return -1;
	}
	return 0;
}

bool credinput_given(const struct cred_input *in)
{
	const char *file = getenv(ENV_PASSWORD_FILE);

	return in->pubkey_file[0] || taken_password || (file && *file);
}

int credinput_gather(const struct cred_input *in, bool ask, int cancel_fd, struct vm_creds *cr,
		     bool *cancelled, char *err, size_t errlen)
{
	const char *file = getenv(ENV_PASSWORD_FILE);

	memset(cr, 0, sizeof(*cr));
	*cancelled = false;
	snprintf(cr->user, sizeof(cr->user), "%s", in->user);
	if (in->pubkey_file[0] && credinput_read_key(in->pubkey_file, cr, err, errlen) != 0)
		goto fail;
	if (file && *file && taken_password) {
		snprintf(err, errlen, "both %s and %s are set: give the new password one way",
			 ENV_PASSWORD, ENV_PASSWORD_FILE);
		goto fail;
	}
	if (file && *file) {
		cr->password = secret_read_file(file, ENV_PASSWORD_FILE, err, errlen);
		if (!cr->password)
			goto fail;
		if (!cr->password[0]) {
			snprintf(err, errlen, "%s: the first line is empty", ENV_PASSWORD_FILE);
			goto fail;
		}
	} else if (taken_password) {
		cr->password = taken_password;
		taken_password = NULL;
	} else if (!cr->pubkey && ask) {
		char prompt[120];

		snprintf(prompt, sizeof(prompt), "New password for %s on the VM (not shown): ",
			 in->user[0] ? in->user : "the user");
		cr->password = secret_read_tty(prompt, "The same again: ", cancel_fd, cancelled, err,
					       errlen);
		if (!cr->password)
			goto fail;
	}
	return 0;
fail:
	creds_clear(cr);
	return -1;
}
