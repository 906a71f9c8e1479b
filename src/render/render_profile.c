/* render_profile.c: see render_profile.h. */
#include "render_profile.h"

#include "render.h"

json_t *render_interests(const struct interest_seen *v, int n)
{
	json_t *out = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:b}", "interest", v[i].key,
			"name", v[i].name, "visibility", interest_visibilities[v[i].visibility],
			"retired", v[i].retired));
	return out;
}

json_t *render_profile(const struct profile *p)
{
	return json_pack("{s:s, s:s, s:o, s:s, s:o}", "id", p->id, "object", "profile",
			 "display_name", render_string(p->display_name),
			 "viewer", profile_viewers[p->viewer],
			 "interests", render_interests(p->interests, p->ninterests));
}

json_t *render_catalogue(const struct interest *v, int n, int64_t updated_at)
{
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *skus = json_array();
		for (int k = 0; k < v[i].nskus; k++)
			json_array_append_new(skus, json_string(v[i].skus[k]));
		json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:b, s:o}", "key", v[i].key,
			"name", v[i].name, "skus", skus, "retired", v[i].retired_at != 0,
			"retired_at", render_time(v[i].retired_at)));
	}
	return json_pack("{s:s, s:o, s:o}", "object", "interest_catalogue", "interests", list,
			 "updated_at", render_time(updated_at));
}

json_t *render_friendship(const struct friendship *f)
{
	/* The friend is an object with its "id", so that an erasure of the friend
	 * rewrites it in stored answers (req_stored_responses_replace()). */
	return json_pack("{s:s, s:s, s:{s:s, s:o}, s:s, s:o, s:o}", "object", "friendship",
		"customer", f->customer, "friend", "id", f->friend_id,
		"display_name", render_string(f->display_name), "state", f->state,
		"created_at", render_time(f->created_at), "updated_at", render_time(f->updated_at));
}
