/*
 * widget.js: retain's storefront widget (issue 14; docs/widget.md is the
 * contract). A shop embeds
 *   <script src="https://RETAIN/widget.js" data-key="pk_..."
 *           data-customer="cus_..." data-customer-token="ctk_..."></script>
 * and the widget renders, into a Shadow DOM of its own host element right
 * after the script tag (or into data-target, a CSS selector), the customer's
 * points, pending points and expiry, tier progress, next milestone, rewards
 * with a redeem button, offers and codes, past orders with their delivery
 * state, interests with their visibility, and the programme's terms.
 *
 * Rules this file keeps: every text from the API is set with textContent
 * (never innerHTML), styles live in the shadow root only (a constructed
 * stylesheet, so a shop's CSP needs no 'unsafe-inline'), requests carry the
 * publishable key and the customer token in headers, never cookies
 * (credentials: "omit"), and a redemption carries an Idempotency-Key that a
 * retry of the same click reuses.
 */
(function () {
	'use strict';
	var script = document.currentScript;
	if (!script || !script.dataset)
		return;
	var cfg = {
		key: script.dataset.key || '',
		customer: script.dataset.customer || '',
		token: script.dataset.customerToken || '',
		api: (script.dataset.api || new URL(script.src, document.baseURI).origin).replace(/\/+$/, ''),
		locale: script.dataset.locale || document.documentElement.lang || undefined
	};

	var CSS = [
		':host { all: initial; display: block; box-sizing: border-box; max-width: 40rem;',
		'  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; }',
		'*, *::before, *::after { box-sizing: inherit; }',
		'.rw { border: 1px solid #d0d7de; border-radius: 8px; padding: 12px 16px; background: #fff; }',
		'h2 { font-size: 16px; margin: 0 0 8px; }',
		'h3 { font-size: 13px; margin: 14px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: #57606a; }',
		'.big { font-size: 28px; font-weight: 600; }',
		'.muted { color: #57606a; font-size: 12px; }',
		'ul { list-style: none; margin: 0; padding: 0; }',
		'li { padding: 6px 0; border-top: 1px solid #eaeef2; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }',
		'li:first-child { border-top: 0; }',
		'.grow { flex: 1 1 auto; }',
		'button { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid #1f6feb; background: #1f6feb; color: #fff; cursor: pointer; }',
		'button[disabled] { background: #eaeef2; border-color: #d0d7de; color: #8c959f; cursor: not-allowed; }',
		'code { font: 13px ui-monospace, monospace; background: #f6f8fa; padding: 1px 6px; border-radius: 4px; }',
		'progress { width: 100%; height: 8px; }',
		'.state { font-size: 12px; padding: 1px 8px; border-radius: 10px; background: #eaeef2; }',
		'.state.delivered { background: #dafbe1; } .state.late, .state.returned, .state.damaged { background: #ffebe9; }',
		'.alert { color: #a40e26; } pre { white-space: pre-wrap; font: inherit; margin: 0; }',
		'select { font: inherit; }'
	].join('\n');

	/* ---- the page: one host element, one shadow root ---- */
	var host = document.createElement('div');
	host.setAttribute('data-retain-widget', '');
	var target = script.dataset.target && document.querySelector(script.dataset.target);
	if (target)
		target.appendChild(host);
	else
		script.parentNode.insertBefore(host, script.nextSibling);
	var root = host.attachShadow({ mode: 'open' });
	if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === 'function' &&
	    CSSStyleSheet.prototype.replaceSync) {
		var sheet = new CSSStyleSheet();
		sheet.replaceSync(CSS);
		root.adoptedStyleSheets = [sheet];
	} else {
		var style = document.createElement('style');
		style.textContent = CSS;
		root.appendChild(style);
	}

	/* el('li', {part: 'x', class: 'y'}, [children or text]): text is always
	 * a Text node (textContent), never parsed as HTML. */
	function el(tag, attrs, children) {
		var n = document.createElement(tag);
		for (var k in attrs || {}) {
			if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] == null)
				continue;
			if (k === 'part')
				n.setAttribute('data-part', attrs[k]);
			else if (k === 'class')
				n.className = attrs[k];
			else if (k === 'text')
				n.textContent = String(attrs[k]);
			else
				n.setAttribute(k, String(attrs[k]));
		}
		[].concat(children || []).flat(Infinity).forEach(function (c) {
			if (c != null)
				n.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
		});
		return n;
	}

	function number(v) {
		return Number(v).toLocaleString(cfg.locale);
	}

	function date(iso) {
		return iso ? new Date(iso).toLocaleDateString(cfg.locale, { year: 'numeric', month: 'short', day: 'numeric' }) : '';
	}

	function money(minor, currency) {
		try {
			var f = new Intl.NumberFormat(cfg.locale, { style: 'currency', currency: currency });
			var digits = f.resolvedOptions().maximumFractionDigits;
			return f.format(minor / Math.pow(10, digits));
		} catch (err) {
			return (minor / 100).toFixed(2) + ' ' + currency;
		}
	}

	/* ---- the API ---- */
	function call(method, path, body, idempotencyKey) {
		var headers = { 'Authorization': 'Bearer ' + cfg.key, 'Customer-Token': cfg.token };
		if (body !== undefined)
			headers['Content-Type'] = 'application/json';
		if (idempotencyKey)
			headers['Idempotency-Key'] = idempotencyKey;
		return fetch(cfg.api + path, {
			method: method, headers: headers, mode: 'cors', credentials: 'omit',
			body: body === undefined ? undefined : JSON.stringify(body)
		}).then(function (resp) {
			return resp.json().then(function (json) {
				if (!resp.ok) {
					var e = new Error(json && json.error ? json.error.message : 'HTTP ' + resp.status);
					e.code = json && json.error ? json.error.code : '';
					throw e;
				}
				return json;
			});
		});
	}

	var me = '/v1/customers/' + encodeURIComponent(cfg.customer);

	function newKey() {
		if (window.crypto && crypto.randomUUID)
			return 'widget-' + crypto.randomUUID();
		return 'widget-' + Date.now().toString(36) + Math.random().toString(36).slice(2);
	}

	/* ---- the sections ---- */
	function section(part, title, body) {
		return el('section', { part: part }, [el('h3', { text: title }), body]);
	}

	function nextExpiry(loyalty) {
		var soonest = null;
		(loyalty.points && loyalty.lots || []).forEach(function (l) {
			if (l.remaining > 0 && l.expires_at && (!soonest || l.expires_at < soonest.expires_at))
				soonest = l;
		});
		if (soonest)
			return { at: soonest.expires_at, points: soonest.remaining };
		if (loyalty.points && loyalty.points.expire_if_inactive_at)
			return { at: loyalty.points.expire_if_inactive_at, points: loyalty.points.available };
		return null;
	}

	function pointsSection(l) {
		var p = l.points, exp = nextExpiry(l);
		return section('points', 'Your points', [
			el('div', { class: 'big', part: 'points-available', 'data-value': p.available, text: number(p.available) }),
			el('div', { class: 'muted' }, [
				el('span', { part: 'points-pending', 'data-value': p.pending, text: number(p.pending) }),
				' pending · ',
				el('span', { part: 'points-expiring', 'data-value': p.expiring_within_30_days,
					     text: number(p.expiring_within_30_days) }),
				' expiring within 30 days'
			]),
			exp ? el('div', { class: 'muted', part: 'expiry', 'data-value': exp.at },
				 [number(exp.points) + ' points expire on ' + date(exp.at)]) : null
		]);
	}

	function tierSection(t, m) {
		var kids = [el('div', {}, [
			'Tier: ', el('strong', { part: 'tier-name', text: t.name || 'none yet' })])];
		if (t.next) {
			kids.push(el('progress', { part: 'tier-meter', max: t.next.threshold,
						   value: Math.min(t.metric, t.next.threshold) }));
			kids.push(el('div', { class: 'muted', part: 'tier-progress', 'data-value': t.next.missing,
					     text: t.progress }));
		} else {
			kids.push(el('div', { class: 'muted', part: 'tier-progress', text: t.progress }));
		}
		var next = m && m.upcoming && m.upcoming[0];
		kids.push(el('div', { part: 'next-milestone', 'data-value': next ? next.orders_to_go : null,
				      text: next ? next.text : 'no milestone ahead' }));
		return section('tier', 'Tier and milestones', kids);
	}

	function rewardsSection(rewards) {
		var list = el('ul');
		rewards.data.forEach(function (w) {
			var button = el('button', { type: 'button', part: 'redeem', 'data-reward': w.key, text: 'Redeem' });
			button.disabled = !w.affordable;
			button.addEventListener('click', function () { redeem(w, button); });
			list.appendChild(el('li', { 'data-reward': w.key }, [
				el('span', { class: 'grow', part: 'reward-name', text: w.name }),
				el('span', { class: 'muted', part: 'reward-cost', 'data-value': w.cost, text: number(w.cost) + ' pts' }),
				button
			]));
		});
		if (!rewards.data.length)
			list.appendChild(el('li', { class: 'muted', text: 'no rewards in this programme' }));
		return section('rewards', 'Rewards', [list, el('div', { part: 'redeem-message', role: 'status' })]);
	}

	function codesSection(offers, redemptions) {
		var list = el('ul');
		redemptions.data.forEach(function (d) {
			if (d.status !== 'active' || !d.code)
				return;
			list.appendChild(el('li', { 'data-code': d.code, part: 'code' }, [
				el('code', { text: d.code }), el('span', { class: 'grow', text: d.name }),
				el('span', { class: 'muted', text: 'reward · ' + date(d.created_at) })
			]));
		});
		offers.data.forEach(function (o) {
			var what = !o.discount ? '' : o.discount.kind === 'percent' ? o.discount.value + '% off'
				 : money(o.discount.value, o.discount.currency || 'EUR') + ' off';
			list.appendChild(el('li', { 'data-code': o.code, part: 'offer' }, [
				el('code', { text: o.code }),
				el('span', { class: 'grow', part: 'offer-name', text: o.campaign ? o.campaign.name : '' }),
				el('span', { class: 'muted', text: [what, o.state,
					o.expires_at ? 'until ' + date(o.expires_at) : ''].filter(Boolean).join(' · ') })
			]));
		});
		if (!list.childNodes.length)
			list.appendChild(el('li', { class: 'muted', text: 'no codes yet' }));
		return section('codes', 'Offers and codes', list);
	}

	function ordersSection(orders) {
		var list = el('ul');
		orders.data.forEach(function (o) {
			var d = o.delivery, state = d.state.replace(/_/g, ' ');
			list.appendChild(el('li', { 'data-order': o.id }, [
				el('span', { class: 'grow' }, [
					el('strong', { text: o.external_id }), ' · ', date(o.placed_at), ' · ',
					el('span', { part: 'order-total', 'data-value': o.total, text: money(o.total, o.currency) })
				]),
				el('span', { class: 'state ' + d.state + (d.late ? ' late' : ''), part: 'delivery-state',
					     'data-value': d.state, text: state + (d.late ? ' (late)' : '') })
			]));
		});
		if (!orders.data.length)
			list.appendChild(el('li', { class: 'muted', text: 'no orders yet' }));
		return section('orders', 'Your orders', list);
	}

	var VISIBILITY = [['everyone', 'everyone'], ['friends', 'friends'], ['only_me', 'only me']];

	function interestsSection(catalogue, profile) {
		var mine = {}, list = el('ul');
		profile.interests.forEach(function (i) { mine[i.interest] = i.visibility; });
		catalogue.interests.forEach(function (c) {
			if (c.retired)
				return;
			var box = el('input', { type: 'checkbox', 'data-interest': c.key });
			box.checked = Object.prototype.hasOwnProperty.call(mine, c.key);
			var select = el('select', { 'data-visibility': c.key, 'aria-label': 'who sees ' + c.name },
				VISIBILITY.map(function (v) { return el('option', { value: v[0], text: v[1] }); }));
			select.value = mine[c.key] || 'only_me';
			list.appendChild(el('li', {}, [el('label', { class: 'grow' }, [box, ' ', c.name]), select]));
		});
		if (!list.childNodes.length)
			return section('interests', 'Interests', el('div', { class: 'muted', text: 'no interests to choose from' }));
		var save = el('button', { type: 'button', part: 'save-interests', text: 'Save interests' });
		var note = el('span', { class: 'muted', part: 'interests-message', role: 'status' });
		save.addEventListener('click', function () {
			var chosen = [];
			list.querySelectorAll('input[data-interest]').forEach(function (b) {
				if (b.checked)
					chosen.push({ interest: b.getAttribute('data-interest'),
						      visibility: list.querySelector('select[data-visibility="' +
							CSS_escape(b.getAttribute('data-interest')) + '"]').value });
			});
			save.disabled = true;
			call('PUT', me + '/interests', { interests: chosen }, newKey()).then(function () {
				note.textContent = 'saved';
			}, function (err) {
				note.textContent = err.message;
			}).then(function () { save.disabled = false; });
		});
		return section('interests', 'Interests', [list, el('div', {}, [save, ' ', note])]);
	}

	function CSS_escape(s) {
		return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, '\\$&');
	}

	function termsSection(terms) {
		return section('terms', 'Programme terms', el('details', {}, [
			el('summary', { text: 'Read the terms (version ' + terms.version + ')' }),
			el('pre', { part: 'terms-text', text: terms.text })
		]));
	}

	/* ---- loading, redeeming ---- */
	var frame = el('div', { class: 'rw', part: 'widget' });
	root.appendChild(frame);

	function show(nodes) {
		while (frame.firstChild)
			frame.removeChild(frame.firstChild);
		[].concat(nodes).flat(Infinity).forEach(function (n) { if (n) frame.appendChild(n); });
	}

	function failed(err) {
		show([el('h2', { text: 'Your rewards' }),
		      el('div', { class: 'alert', role: 'alert', part: 'error', 'data-code': err.code || '',
				  text: 'The rewards could not be loaded: ' + err.message })]);
		host.setAttribute('data-state', 'error');
	}

	function optional(p, empty) {
		return p.catch(function () { return empty; });
	}

	var lastCode = null;

	function load() {
		host.setAttribute('data-state', 'loading');
		return Promise.all([
			call('GET', me + '/loyalty'),
			call('GET', me + '/rewards'),
			call('GET', me + '/offers'),
			call('GET', me + '/redemptions?limit=20'),
			call('GET', me + '/orders?limit=10'),
			optional(call('GET', '/v1/profiles/' + encodeURIComponent(cfg.customer)),
				 { display_name: null, interests: [] }),
			optional(call('GET', '/v1/interests/catalogue'), { interests: [] }),
			optional(call('GET', '/v1/program/terms'), null)
		]).then(function (v) {
			var name = v[5].display_name;
			show([
				el('h2', { part: 'greeting' }, name ? ['Hello, ', el('span', { part: 'display-name', text: name })]
								    : ['Your rewards']),
				pointsSection(v[0]), tierSection(v[0].tier, v[0].milestones),
				rewardsSection(v[1]), codesSection(v[2], v[3]), ordersSection(v[4]),
				interestsSection(v[6], v[5]), v[7] ? termsSection(v[7]) : null
			]);
			if (lastCode)
				message('Your code: ', lastCode);
			host.setAttribute('data-state', 'ready');
		}, failed);
	}

	function message(text, code) {
		var m = root.querySelector('[data-part="redeem-message"]');
		if (!m)
			return;
		m.textContent = text;
		if (code)
			m.appendChild(el('code', { part: 'new-code', text: code }));
	}

	/* One Idempotency-Key per click: a network failure leaves it with the
	 * reward, so that a second click retries the same redemption. */
	var pending = {};

	function redeem(w, button) {
		var key = pending[w.key] || (pending[w.key] = newKey());
		button.disabled = true;
		host.setAttribute('data-state', 'redeeming');
		call('POST', me + '/redemptions', { reward: w.key }, key).then(function (d) {
			delete pending[w.key];
			lastCode = d.code || null;
			return load().then(function () {
				message(d.code ? 'Your code: ' : 'Redeemed: ' + d.name, d.code);
			});
		}, function (err) {
			if (err.code)	/* the server answered: a new click is a new request */
				delete pending[w.key];
			button.disabled = false;
			message(err.message);
			host.setAttribute('data-state', 'ready');
		});
	}

	show([el('h2', { text: 'Your rewards' }), el('div', { class: 'muted', text: 'loading…' })]);
	if (!cfg.key || !cfg.customer || !cfg.token)
		failed({ code: 'widget_misconfigured', message: 'the script tag needs data-key, data-customer and data-customer-token' });
	else
		load();
})();
