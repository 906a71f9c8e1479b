/*
 * render_profile.h: JSON shapes of issue 12's resources: a customer's
 * interests as one viewer sees them (core/interest.h interest_visible()),
 * the profile, the catalogue and friendships. Each returns a new reference.
 */
#ifndef RETAIN_RENDER_PROFILE_H
#define RETAIN_RENDER_PROFILE_H

#include <jansson.h>

#include "../core/friend.h"
#include "../core/interest.h"
#include "../core/profile.h"

/* [{interest, name, visibility, retired}] */
json_t *render_interests(const struct interest_seen *v, int n);
json_t *render_profile(const struct profile *p);
json_t *render_catalogue(const struct interest *v, int n, int64_t updated_at);
json_t *render_friendship(const struct friendship *f);

#endif
