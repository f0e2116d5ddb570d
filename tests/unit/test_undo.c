/* test_undo: the undo records' text (azure/undo): put in, read back, replaced per VM, taken
 * out, and refused when they are not what sshtriage writes; the file itself in a temporary
 * state directory (0600, replaced whole, never through a symbolic link). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "azure/undo.h"
#include "tap.h"

#define VM1 "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"
#define VM2 "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm2"
#define RULE "https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/" \
	     "Microsoft.Network/networkSecurityGroups/n/securityRules/sshtriage-allow-ssh?api-version=1"

static void rec_init(struct undo_rec *r, const char *vm, enum remedy_id id)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->vm_id, sizeof(r->vm_id), "%s", vm);
	r->id = id;
	snprintf(r->when, sizeof(r->when), "2026-11-22T09:30:00Z");
	r->n_steps = 2;
	snprintf(r->step[0].method, sizeof(r->step[0].method), "DELETE");
	snprintf(r->step[0].url, sizeof(r->step[0].url), "%s", RULE);
	snprintf(r->step[1].method, sizeof(r->step[1].method), "PUT");
	snprintf(r->step[1].url, sizeof(r->step[1].url), "%s", RULE);
	r->step[1].body = strdup("{\"properties\":{\"priority\":100}}");
}

int main(void)
{
	struct undo_rec a, b, got;
	char err[300], *t1, *t2, *t3;
	char dir[] = "/tmp/test_undo.XXXXXX", path[512];
	struct stat st;

	rec_init(&a, VM1, RM_NSG_ALLOW_SSH);
	rec_init(&b, VM2, RM_ENDPOINT_NAT_PORT);
	t1 = undo_encode(NULL, 0, &a, err, sizeof(err));
	ok(t1 != NULL, "a record is encoded into a new file");
	ok(undo_decode(t1, strlen(t1), VM1, &got, err, sizeof(err)) == 1, "and read back");
	ok(got.id == RM_NSG_ALLOW_SSH && got.n_steps == 2 && strcmp(got.step[0].method, "DELETE") == 0 &&
	   got.step[0].body == NULL && got.step[1].body &&
	   strcmp(got.step[1].body, "{\"properties\":{\"priority\":100}}") == 0 &&
	   strcmp(got.when, "2026-11-22T09:30:00Z") == 0, "remedy, time, steps and bodies as written");
	undo_rec_free(&got);
	ok(undo_decode(t1, strlen(t1), VM2, &got, err, sizeof(err)) == 0, "another VM has no record");
	t2 = undo_encode(t1, strlen(t1), &b, err, sizeof(err));
	ok(t2 && undo_decode(t2, strlen(t2), VM1, &got, err, sizeof(err)) == 1 &&
	   got.id == RM_NSG_ALLOW_SSH, "a second VM's record keeps the first");
	undo_rec_free(&got);
	a.id = RM_ENDPOINT_ACL;
	t3 = undo_encode(t2, strlen(t2), &a, err, sizeof(err));
	ok(t3 && undo_decode(t3, strlen(t3), VM1, &got, err, sizeof(err)) == 1 &&
	   got.id == RM_ENDPOINT_ACL, "a newer record of the same VM replaces the older");
	undo_rec_free(&got);
	ok(t3 && strstr(t3, "nsg.allow_ssh") == NULL, "the older one is gone from the file");
	free(t1);
	t1 = undo_remove(t3, strlen(t3), "/SUBSCRIPTIONS/s/resourceGroups/rg/providers/"
			 "Microsoft.Compute/virtualMachines/VM1", err, sizeof(err));
	ok(t1 && undo_decode(t1, strlen(t1), VM1, &got, err, sizeof(err)) == 0 &&
	   undo_decode(t1, strlen(t1), VM2, &got, err, sizeof(err)) == 1,
	   "taking one out (ids compare without case) leaves the other");
	undo_rec_free(&got);
	free(t1);
	free(t2);
	free(t3);

	{
		static const char *const bad[] = {
			"[]", "{\"records\":{}}", "{\"records\":[{\"vm\":\"" VM1 "\"}]}",
			"{\"records\":[{\"vm\":\"" VM1 "\",\"remedy\":\"nsg.allow_ssh\",\"applied\":\"t\","
			"\"steps\":[{\"method\":\"POST\",\"url\":\"https://x/\"}]}]}",
			"{\"records\":[{\"vm\":\"" VM1 "\",\"remedy\":\"nsg.allow_ssh\",\"applied\":\"t\","
			"\"steps\":[{\"method\":\"DELETE\",\"url\":\"http://x/\"}]}]}",
			"{\"records\":[{\"vm\":\"" VM1 "\",\"remedy\":\"nsg.allow_ssh\",\"applied\":\"t\","
			"\"steps\":[{\"method\":\"PUT\",\"url\":\"https://x/\"}]}]}",
			"{\"records\":[{\"vm\":\"" VM1 "\",\"remedy\":\"no.such\",\"applied\":\"t\","
			"\"steps\":[{\"method\":\"DELETE\",\"url\":\"https://x/\"}]}]}",
			"{\"records\":[{\"vm\":\"" VM1 "\",\"remedy\":\"nsg.allow_ssh\",\"remedy\":\"vm.start\","
			"\"applied\":\"t\",\"steps\":[{\"method\":\"DELETE\",\"url\":\"https://x/\"}]}]}",
			"{\"records\":[]} trailing",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			ok(undo_decode(bad[i], strlen(bad[i]), VM1, &got, err, sizeof(err)) == -1 &&
			   err[0] && got.n_steps == 0, "refused: %.60s (%s)", bad[i], err);
	}

	/* the file, in a state directory of our own */
	ok(mkdtemp(dir) != NULL, "a temporary state directory");
	setenv("XDG_STATE_HOME", dir, 1);
	ok(undo_load(VM1, &got, err, sizeof(err)) == 0, "no file: no record");
	ok(undo_save(&a, err, sizeof(err)) == 0 && undo_save(&b, err, sizeof(err)) == 0,
	   "two records saved (%s)", err);
	snprintf(path, sizeof(path), "%s/sshtriage/undo.json", dir);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the file is 0600");
	ok(undo_load(VM1, &got, err, sizeof(err)) == 1 && got.id == RM_ENDPOINT_ACL, "loaded back");
	undo_rec_free(&got);
	ok(undo_forget(VM1, err, sizeof(err)) == 0 && undo_load(VM1, &got, err, sizeof(err)) == 0 &&
	   undo_load(VM2, &got, err, sizeof(err)) == 1, "forgotten: only the other VM's is left");
	undo_rec_free(&got);
	unlink(path);
	ok(symlink("/etc/hostname", path) == 0 && undo_load(VM1, &got, err, sizeof(err)) == -1 &&
	   undo_save(&a, err, sizeof(err)) == -1, "a symbolic link is neither read nor written through");
	unlink(path);
	{
		char sub[600];

		snprintf(sub, sizeof(sub), "%s/sshtriage", dir);
		rmdir(sub);
		rmdir(dir);
	}
	undo_rec_free(&a);
	undo_rec_free(&b);
	return tap_done();
}
