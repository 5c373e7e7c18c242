#!/usr/bin/env python3
"""Writes tests/data/heldout.jsonl: labeled posts that the default packs were NOT written against.

The posts are hand-written (tweets, LinkedIn posts, chat-style posts in several languages); the
secrets, card numbers and IBANs inside them are generated here with a fixed seed so that they have
the real formats (provider prefixes, charsets and lengths as published by the providers and as
gitleaks' rules describe them; Luhn check digits; IBAN mod-97 check digits and per-country
lengths) without being anybody's real key or account. Nothing here is a live credential.

Labels are what a policy reviewer would say, not what the rules happen to do. Posts tagged "trap"
must not be flagged. Run from the repository root:

    python3 tests/data/make_heldout.py > tests/data/heldout.jsonl
"""
import json
import random
import string

R = random.Random(20251010)

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DI = string.digits
AN = UP + LO + DI
HEX = "0123456789abcdef"
B64 = AN + "+/"
URL = AN + "-_"


def rnd(chars, n):
    return "".join(R.choice(chars) for _ in range(n))


def luhn_complete(prefix, length):
    body = prefix + rnd(DI, length - len(prefix) - 1)
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # these digits are doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def group(s, sizes, sep=" "):
    out, i = [], 0
    for n in sizes:
        out.append(s[i:i + n])
        i += n
    return sep.join(out)


# BBAN shapes: a = letter, n = digit, c = alphanumeric.
IBAN_BBAN = {
    "DE": "n" * 18, "FR": "n" * 10 + "c" * 11 + "nn", "ES": "n" * 20, "IT": "a" + "n" * 10 + "c" * 12,
    "NL": "aaaa" + "n" * 10, "BE": "n" * 12, "PT": "n" * 21, "GB": "aaaa" + "n" * 14,
    "IE": "aaaa" + "n" * 14, "AT": "n" * 16, "CH": "n" * 5 + "c" * 12, "PL": "n" * 24,
    "SE": "n" * 20, "DK": "n" * 14, "NO": "n" * 11, "FI": "n" * 14, "LU": "nnn" + "c" * 13,
    "CZ": "n" * 20, "HU": "n" * 24, "RO": "aaaa" + "c" * 16, "GR": "n" * 7 + "c" * 16,
    "BR": "n" * 23 + "a" + "c", "TR": "n" * 5 + "0" + "c" * 16, "SA": "nn" + "c" * 18,
    "AE": "n" * 19, "MT": "aaaa" + "n" * 5 + "c" * 18, "LT": "n" * 16, "HR": "n" * 17,
    "SI": "n" * 15, "EE": "n" * 16, "IS": "n" * 22, "CY": "n" * 8 + "c" * 16,
}


def iban(country, spaced=True):
    bban = ""
    for k in IBAN_BBAN[country]:
        bban += {"a": R.choice(UP), "n": R.choice(DI), "c": R.choice(UP + DI), "0": "0"}[k]
    rearranged = bban + country + "00"
    num = "".join(str(int(ch, 36)) for ch in rearranged)
    check = 98 - int(num) % 97
    s = f"{country}{check:02d}{bban}"
    if spaced:
        return " ".join(s[i:i + 4] for i in range(0, len(s), 4))
    return s


def jwt():
    import base64
    def b64u(obj):
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")
    header = b64u({"alg": "HS256", "typ": "JWT"})
    payload = b64u({"sub": rnd(DI, 8), "role": "admin", "iat": 1759900000 + R.randint(0, 99999),
                    "email": "r.almeida@northwind.example"})
    return f"{header}.{payload}.{rnd(URL, 43)}"


def pem(kind):
    head = {"RSA": "MIIEowIBAAKCAQEA", "EC": "MHcCAQEEI", "OPENSSH": "b3BlbnNzaC1rZXktdjEAAAAA", "": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"}[kind]
    label = (kind + " " if kind else "") + "PRIVATE KEY"
    lines = [head + rnd(B64, 64 - len(head))] + [rnd(B64, 64) for _ in range(3)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"


S = {}  # secrets, named for the posts below
S["aws_id"] = "AKIA" + rnd(UP + "234567", 16)
S["aws_id2"] = "ASIA" + rnd(UP + "234567", 16)
S["aws_secret"] = rnd(B64, 40)
S["gcp_api"] = "AIza" + rnd(URL, 35)
S["gcp_keyid"] = rnd(HEX, 40)
S["azure_key"] = rnd(B64, 86) + "=="
S["azure_key2"] = rnd(B64, 86) + "=="
S["azure_cs"] = rnd(AN, 3) + R.choice(DI) + "Q~" + rnd(AN + "_~.-", 34)
S["ghp"] = "ghp_" + rnd(AN, 36)
S["gho"] = "gho_" + rnd(AN, 36)
S["ghs"] = "ghs_" + rnd(AN, 36)
S["ghpat"] = "github_pat_11" + rnd(UP + DI, 20) + "_" + rnd(AN, 59)
S["glpat"] = "glpat-" + rnd(URL, 20)
S["xoxb"] = f"xoxb-{rnd(DI, 12)}-{rnd(DI, 13)}-{rnd(AN, 24)}"
S["xoxp"] = f"xoxp-{rnd(DI, 12)}-{rnd(DI, 12)}-{rnd(DI, 13)}-{rnd(HEX, 32)}"
S["slack_hook"] = f"https://hooks.slack.com/services/T{rnd(UP + DI, 8)}/B{rnd(UP + DI, 10)}/{rnd(AN, 24)}"
S["sk_live"] = "sk_live_51" + rnd(AN, 97)
S["rk_live"] = "rk_live_" + rnd(AN, 24)
S["whsec"] = "whsec_" + rnd(AN, 32)
S["twilio_sid"] = "AC" + rnd(HEX, 32)
S["twilio_tok"] = rnd(HEX, 32)
S["twilio_sk"] = "SK" + rnd(HEX, 32)
S["sendgrid"] = "SG." + rnd(URL, 22) + "." + rnd(URL, 43)
S["openai_proj"] = "sk-proj-" + rnd(URL, 74) + "T3BlbkFJ" + rnd(URL, 74)
S["openai_old"] = "sk-" + rnd(AN, 20) + "T3BlbkFJ" + rnd(AN, 20)
S["anthropic"] = "sk-ant-api03-" + rnd(URL, 93) + "AA"
S["hf"] = "hf_" + rnd(UP + LO, 34)
S["npm"] = "npm_" + rnd(AN, 36)
S["pypi"] = "pypi-AgEIcHlwaS5vcmc" + rnd(URL, 70)
S["discord"] = "MT" + rnd(AN, 24) + "." + rnd(URL, 6) + "." + rnd(URL, 38)
S["telegram"] = f"{R.randint(100000000, 9999999999)}:AA{rnd(URL, 33)}"
S["mailgun"] = "key-" + rnd(HEX, 32)
S["mailgun2"] = f"{rnd(HEX, 32)}-{rnd(HEX, 8)}-{rnd(HEX, 8)}"
S["shopify"] = "shpat_" + rnd(HEX, 32)
S["do"] = "dop_v1_" + rnd(HEX, 64)
S["heroku"] = "HRKU-AA" + rnd(URL, 58)
S["heroku_uuid"] = f"{rnd(HEX, 8)}-{rnd(HEX, 4)}-4{rnd(HEX, 3)}-a{rnd(HEX, 3)}-{rnd(HEX, 12)}"
S["dd_api"] = rnd(HEX, 32)
S["dd_app"] = rnd(HEX, 40)
S["jwt"] = jwt()
S["pem_rsa"] = pem("RSA")
S["pem_ec"] = pem("EC")
S["pem_pk8"] = pem("")
S["gocspx"] = "GOCSPX-" + rnd(URL, 28)
S["vault"] = "hvs." + rnd(URL, 90)
S["linear"] = "lin_api_" + rnd(AN, 40)
S["groq"] = "gsk_" + rnd(AN, 52)
S["square"] = "sq0atp-" + rnd(URL, 22)
S["xapp"] = f"xapp-1-A{rnd(UP + DI, 10)}-{rnd(DI, 13)}-{rnd(HEX, 64)}"
S["atlassian"] = "ATATT3xFfGF0" + rnd(URL, 180) + "=" + rnd(UP + DI, 8)
S["postman"] = f"PMAK-{rnd(HEX, 24)}-{rnd(HEX, 34)}"
S["cf_token"] = rnd(URL, 40)
S["ado_pat"] = rnd(LO + "234567", 52)
S["okta"] = "00" + rnd(URL, 40)
S["pg_pw"] = rnd(AN, 18)
S["mongo_pw"] = rnd(AN, 16)
S["redis_pw"] = rnd(AN + "!#", 20)
S["mysql_pw"] = "Vinho" + rnd(DI, 4) + "!Verde"
S["docker"] = "dckr_pat_" + rnd(URL, 27)
S["sentry"] = "sntrys_eyJpYXQiOjE3M" + rnd(URL, 120)
S["mapbox"] = "sk.eyJ1Ijoibm9ydGh3aW5kIiwiYSI6I" + rnd(URL, 30) + "." + rnd(URL, 22)
S["doppler"] = "dp.st.prd." + rnd(AN, 43)

CARD = {
    "visa": luhn_complete("4", 16), "visa2": luhn_complete("4", 16), "mc": luhn_complete("5" + R.choice("12345"), 16),
    "mc2": luhn_complete("22" + str(R.randint(21, 99)), 16), "amex": luhn_complete("37", 15),
    "amex2": luhn_complete("34", 15), "disc": luhn_complete("6011", 16), "disc2": luhn_complete("65", 16),
}

I = {c: iban(c) for c in IBAN_BBAN}
I_COMPACT = {c: iban(c, spaced=False) for c in ["DE", "FR", "NL", "PT", "CH", "BR"]}

POSTS = []


def p(text, labels=(), tags=()):
    POSTS.append({"text": text, "labels": sorted(labels), "tags": list(tags)})


# ---------------------------------------------------------------- secrets (real formats)
p(f"why does boto keep saying InvalidClientTokenId?? aws_access_key_id={S['aws_id']} aws_secret_access_key={S['aws_secret']} region eu-west-1, pls help",
  ["secret"], ["aws", "help-request"])
p(f"Can anyone explain why {S['aws_id2']} gets AccessDenied on s3:GetObject but works from the console? Losing my mind here.",
  ["secret"], ["aws"])
p(f"Finally got the Maps embed working on my portfolio 🗺️ (key={S['gcp_api']}) only took me a whole Sunday",
  ["secret"], ["gcp"])
p('Hackathon team, here is the service account so you don\'t have to wait for IT: {"type": "service_account", "project_id": "hackday-4411", '
  f'"private_key_id": "{S["gcp_keyid"]}", "client_email": "ci-bot@hackday-4411.iam.gserviceaccount.com"}}',
  ["secret"], ["gcp", "service-account"])
p(f"Storage emulator? nah, just use the real one: DefaultEndpointsProtocol=https;AccountName=nwphotos;AccountKey={S['azure_key']};EndpointSuffix=core.windows.net",
  ["secret"], ["azure", "connection-string"])
p(f"azure storage key for the demo bucket, rotate after Friday: {S['azure_key2']}",
  ["secret"], ["azure"])
p(f"App registration done ✅ client id 3f6c1a2e-77b0-4c1e-9d2f-5a8b0c3d4e11, client secret {S['azure_cs']} — tenant is the usual one",
  ["secret"], ["azure"])
p(f"The CI bot kept failing so I used my own token for now: {S['ghp']}. Will swap it out next week, promise 😅",
  ["secret"], ["github"])
p(f"Pasting this before I forget it again: {S['gho']} (the OAuth one from the CLI login)",
  ["secret"], ["github"])
p(f"Our GitHub App installation token leaked into a public gist once. Today's lesson, with the token still in it: {S['ghs']}",
  ["secret"], ["github"])
p(f"fine-grained PAT for the docs repo, read-only so it's fine right? {S['ghpat']}",
  ["secret"], ["github"])
p(f"GitLab runner registration kept failing, turns out you need a PAT now. Mine: {S['glpat']} #gitlab #devops",
  ["secret"], ["gitlab"])
p(f"Built a little standup bot this weekend 🤖 if you want to try it: SLACK_BOT_TOKEN={S['xoxb']}",
  ["secret"], ["slack"])
p(f"my slack user token from the oauth page, does this scope look right? {S['xoxp']}",
  ["secret"], ["slack"])
p(f"Alerts now go straight to #ops-alerts, just POST to {S['slack_hook']} 🚨",
  ["secret"], ["slack", "webhook"])
p(f"Charged my first real customer with our new checkout! Stripe key if anyone wants to double-check the setup: {S['sk_live']}",
  ["secret"], ["stripe"])
p(f"restricted key for the analytics job: {S['rk_live']} — it can only read charges so no drama",
  ["secret"], ["stripe"])
p(f"Webhook signing secret is {S['whsec']}, put it in the env of the payments service",
  ["secret"], ["stripe"])
p(f"Twilio creds for the SMS pilot: account SID {S['twilio_sid']}, auth token {S['twilio_tok']}",
  ["secret"], ["twilio"])
p(f"twilio api key {S['twilio_sk']} for the notification service, secret in 1Password",
  ["secret"], ["twilio"])
p(f"Emails finally going out 📬 SendGrid was easy: {S['sendgrid']}",
  ["secret"], ["sendgrid"])
p(f"Playing with the new reasoning models tonight. export OPENAI_API_KEY={S['openai_proj']}",
  ["secret"], ["openai"])
p(f"old openai key from 2023 that I found in a notebook, probably dead: {S['openai_old']}",
  ["secret"], ["openai"])
p(f"Claude wrote my whole test suite lol. key for the team workspace: {S['anthropic']}",
  ["secret"], ["anthropic"])
p(f"Uploading our fine-tuned model to the Hub, token {S['hf']} has write access to the org",
  ["secret"], ["huggingface"])
p(f"publish keeps 403ing, here's my .npmrc: //registry.npmjs.org/:_authToken={S['npm']}",
  ["secret"], ["npm"])
p(f"twine upload finally works!! password = {S['pypi']}",
  ["secret"], ["pypi"])
p(f"My Discord bot is live 🎮 token for the co-maintainers: {S['discord']}",
  ["secret"], ["discord"])
p(f"Made a Telegram bot that posts our build status. Bot token {S['telegram']} if you want to add it to your group",
  ["secret"], ["telegram"])
p(f"Mailgun sending key for the newsletter: {S['mailgun']}",
  ["secret"], ["mailgun"])
p(f"mailgun switched to the new key format, ours is {S['mailgun2']} now",
  ["secret"], ["mailgun"])
p(f"Shopify admin token for the merch store, so the design team can update the products: {S['shopify']}",
  ["secret"], ["shopify"])
p(f"spun up a droplet for the workshop 🐳 doctl auth init --access-token {S['do']}",
  ["secret"], ["digitalocean"])
p(f"Heroku finally moved to prefixed tokens. Mine looks like {S['heroku']} which is way easier to spot",
  ["secret"], ["heroku"])
p(f"HEROKU_API_KEY={S['heroku_uuid']} for the review apps pipeline",
  ["secret"], ["heroku"])
p(f"datadog agent not reporting on the new hosts, config has DD_API_KEY={S['dd_api']} and DD_SITE=datadoghq.eu, what am I missing?",
  ["secret"], ["datadog"])
p(f"Datadog app key for the dashboard script: {S['dd_app']}",
  ["secret"], ["datadog"])
p(f"Why is my auth middleware rejecting this? Authorization: Bearer {S['jwt']}",
  ["secret"], ["jwt"])
p(f"ssh keeps saying 'invalid format' on this key, any idea?\n{S['pem_rsa']}",
  ["secret"], ["private-key"])
p(f"Generated an ECDSA key for the signing service:\n{S['pem_ec']}",
  ["secret"], ["private-key"])
p(f'the private_key field from the JSON is just "{S["pem_pk8"][:120]}..." right? how do I load it in Go',
  ["secret"], ["private-key", "gcp"])
p(f"db is up! psql postgresql://analytics:{S['pg_pw']}@analytics-db.eu-west-1.rds.amazonaws.com:5432/events",
  ["secret"], ["connection-string"])
p(f"Atlas cluster for the hackathon: mongodb+srv://hackteam:{S['mongo_pw']}@cluster0.x7kqp.mongodb.net/app?retryWrites=true",
  ["secret"], ["connection-string"])
p(f"cache is redis://:{S['redis_pw']}@10.0.4.12:6379/0 if your service needs it",
  ["secret", "confidential"], ["connection-string", "private-ip"])
p(f"mysql://reporting:{S['mysql_pw']}@reports.example-shop.com:3306/sales for the Looker connection",
  ["secret"], ["connection-string"])
p(f"Server=tcp:nwsql.database.windows.net,1433;Initial Catalog=billing;User ID=billing_app;Password=Lisboa!{rnd(DI, 4)}xq;Encrypt=True;",
  ["secret"], ["connection-string"])
p("the wifi password for the offsite is Bacalhau#2025 — see you all there!",
  ["secret"], ["password", "prose"])
p("Note to self because I keep forgetting: vpn pw: Tr4m28-Alfama",
  ["secret"], ["password", "prose"])
p("ok for the demo laptop: user demo, pass = Kestrel!Demo24",
  ["secret"], ["password", "prose"])
p("Das WLAN-Passwort im Büro ist jetzt Brezel!2025, bitte nicht weitersagen 😉",
  ["secret"], ["password", "lang:de"])
p("Pessoal, a senha do Wi-Fi da sala 3 é Pastel_de_Nata_7 (mudou ontem)",
  ["secret"], ["password", "lang:pt"])
p("La contraseña del router de la oficina es Tortilla2025!, la cambiamos el lunes",
  ["secret"], ["password", "lang:es"])
p("Pour le stand du salon, le mot de passe c'est Croissant#88 — ne le mettez pas sur Slack",
  ["secret"], ["password", "lang:fr"])
p("Shared Figma login for the interns: design-team@northwind.example pw Mockup2025!",
  ["secret"], ["password"])
p(f"Google OAuth client secret for the internal tool: {S['gocspx']}",
  ["secret"], ["gcp"])
p(f"VAULT_TOKEN={S['vault']} vault kv get secret/payments — why does it say permission denied?",
  ["secret"], ["vault"])
p(f"Linear API key for the release-notes script: {S['linear']}",
  ["secret"], ["linear"])
p(f"Groq is ridiculously fast. Try it with my key, I have credits: {S['groq']}",
  ["secret"], ["ai"])
p(f"Square sandbox was boring so we went live: {S['square']}",
  ["secret"], ["square"])
p(f"socket mode app token for the bot: {S['xapp']}",
  ["secret"], ["slack"])
p(f"Jira automation via API token {S['atlassian']} — works great",
  ["secret"], ["atlassian"])
p(f"Postman collection shared with the team, and here is my API key so you can fork it: {S['postman']}",
  ["secret"], ["postman"])
p(f"Cloudflare API token for the DNS script: {S['cf_token']}",
  ["secret"], ["cloudflare"])
p(f"Azure DevOps PAT for the pipeline agent (expires in 90 days): {S['ado_pat']}",
  ["secret"], ["azure-devops"])
p(f"docker login -u nwbuild -p {S['docker']} and the pull should work",
  ["secret"], ["docker"])
p(f"SENTRY_AUTH_TOKEN={S['sentry']} in the release job",
  ["secret"], ["sentry"])
p(f"Doppler service token for staging: {S['doppler']}",
  ["secret"], ["doppler"])

# secret traps: placeholders, documented examples, discussions of formats, hashes
p("PSA: GitHub tokens start with ghp_ and Stripe live keys with sk_live_, which is exactly why secret scanners catch them. Use the prefixes, folks.",
  [], ["trap", "security-talk"])
p("export OPENAI_API_KEY=<your-key-here> and then run `python app.py`. That's the whole setup.",
  [], ["trap", "placeholder"])
p("The AWS docs use AKIAIOSFODNN7EXAMPLE as the sample access key, and every tutorial copies it.",
  [], ["trap", "example-key"])
p("Fixed in commit 9f3c2a7b1e4d6f80a2c5e9b7d1f3a6c8e0b2d4f6, release notes to follow.",
  [], ["trap", "hash"])
p("Pinned the base image by digest: python@sha256:3b1f8a6c9d2e4f7a0b5c8d1e6f9a2b4c7d0e3f6a9b2c5d8e1f4a7b0c3d6e9f2a1b",
  [], ["trap", "hash"])
p("Reminder: never put your password in a tweet, in a Slack channel, or on a sticky note. Use the password manager.",
  [], ["trap", "security-talk"])
p("My password manager just generated a 40-character passphrase and I feel very secure and very unable to type it.",
  [], ["trap", "security-talk"])
p("Token budget for the LLM experiment: 2M tokens per day, about 40 USD. Cheaper than I expected.",
  [], ["trap", "token-word"])
p("Config tip: keep DATABASE_URL=postgres://user:${DB_PASSWORD}@db:5432/app in .env.example and the real one out of git.",
  [], ["trap", "placeholder"])
p("API_KEY=xxxxxxxxxxxxxxxxxxxxxxxx goes in your .env, see the README for where to get one.",
  [], ["trap", "placeholder"])
p("The session id in the bug report was 550e8400-e29b-41d4-a716-446655440000, can someone from support check the logs?",
  [], ["trap", "uuid"])
p("Rotated every key in the org today after the offboarding. Boring work, very satisfying.",
  [], ["trap", "security-talk"])
p("Forgot my password for the third time this week. The reset email is my most-read newsletter.",
  [], ["trap", "security-talk"])
p("kubectl get secret db-creds -o yaml | base64 -d is the one-liner I use most. Scary how easy it is.",
  [], ["trap", "security-talk"])

# ---------------------------------------------------------------- pii
p(f"Customer dictated her card over the phone: {group(CARD['visa'], [4, 4, 4, 4])} exp 11/27. Why do people do this 😩",
  ["pii"], ["card", "visa"])
p(f"test if this card works on the new checkout: {CARD['mc']}",
  ["pii"], ["card", "mastercard"])
p(f"Found a card on the floor of the co-working, {group(CARD['amex'], [4, 6, 5], '-')}, whoever lost it DM me",
  ["pii"], ["card", "amex"])
p(f"Refund failed for {group(CARD['disc'], [4, 4, 4, 4])}, can billing retry?",
  ["pii"], ["card", "discover"])
p(f"new mastercard 2-series BIN works: {group(CARD['mc2'], [4, 4, 4, 4], '-')} 💳",
  ["pii"], ["card", "mastercard"])
p(f"cliente passou o cartão {group(CARD['visa2'], [4, 4, 4, 4])} por chat, já apaguei do ticket",
  ["pii"], ["card", "lang:pt"])
p(f"Amex {CARD['amex2']} declined again?? third time today",
  ["pii"], ["card", "amex"])
p(f"Discover card {group(CARD['disc2'], [4, 4, 4, 4])} for the team lunch, charge it whenever",
  ["pii"], ["card", "discover"])
p(f"Send the deposit for the flat to my landlord: {I['DE']} (Sparkasse). Thanks Mom!", ["pii"], ["iban", "DE"])
p(f"Pour le cadeau de départ de Julien, virement sur {I['FR']} svp 🎁", ["pii"], ["iban", "FR", "lang:fr"])
p(f"Bote para la cena de equipo: {I['ES']}, 20€ cada uno", ["pii"], ["iban", "ES", "lang:es"])
p(f"Colletta per il regalo di Marco, IBAN {I['IT']}", ["pii"], ["iban", "IT"])
p(f"Tikkie is down so just transfer to {I['NL']} for the pizza", ["pii"], ["iban", "NL"])
p(f"Rembourser la note de frais sur {I['BE']}, merci!", ["pii"], ["iban", "BE", "lang:fr"])
p(f"Para a vaquinha do casamento da Inês: {I['PT']} 💍", ["pii"], ["iban", "PT", "lang:pt"])
p(f"paying the plumber back, my account {I['GB']}", ["pii"], ["iban", "GB"])
p(f"Raffle proceeds go to {I['IE']}, cheers all", ["pii"], ["iban", "IE"])
p(f"Mein Konto für die Tippspiel-Kasse: {I['AT']}", ["pii"], ["iban", "AT", "lang:de"])
p(f"Überweisung für das Teamevent bitte an {I['CH']}", ["pii"], ["iban", "CH", "lang:de"])
p(f"Zrzutka na prezent dla Kasi: {I['PL']}", ["pii"], ["iban", "PL"])
p(f"Swish funkar inte, skicka till {I['SE']} istället", ["pii"], ["iban", "SE"])
p(f"Kontonummer for fotballaget: {I['NO']}", ["pii"], ["iban", "NO"])
p(f"Tilisiirto kahvikassaan: {I['FI']}", ["pii"], ["iban", "FI"])
p(f"Pro sbírku na dárek: {I['CZ']}", ["pii"], ["iban", "CZ"])
p(f"Contul meu pentru bilete: {I['RO']}", ["pii"], ["iban", "RO"])
p(f"Transfer to {I['GR']} for the apartment in Athens, landlord is waiting", ["pii"], ["iban", "GR"])
p(f"Manda o Pix ou então TED para {I['BR']} 🙏", ["pii"], ["iban", "BR", "lang:pt"])
p(f"Rent for the Malta flat goes to {I['MT']}", ["pii"], ["iban", "MT"])
p(f"Kaution bitte auf {I_COMPACT['DE']} überweisen, Verwendungszweck Wohnung", ["pii"], ["iban", "DE", "compact", "lang:de"])
p(f"mon RIB pour le covoit: {I_COMPACT['FR']}", ["pii"], ["iban", "FR", "compact", "lang:fr"])
p(f"pay me back for the concert tickets: {I_COMPACT['NL']}", ["pii"], ["iban", "NL", "compact"])
p(f"Hungarian colleagues, the collection account is {I['HU']}", ["pii"], ["iban", "HU"])
p(f"Send the Dubai trip deposit to {I['AE']}", ["pii"], ["iban", "AE"])
p(f"Kira için hesap: {I['TR']}", ["pii"], ["iban", "TR"])
p(f"Lithuanian team: {I['LT']} for the party fund", ["pii"], ["iban", "LT"])
p("Say hi to our new hire Ana! Her mobile is +351 913 482 760 if you need anything on her first day.", ["pii"], ["phone", "PT"])
p("Meine Handynummer für die Fahrgemeinschaft: +49 151 2374 9981", ["pii"], ["phone", "DE", "lang:de"])
p("Le numéro de Claire pour l'afterwork : +33 6 45 87 12 39", ["pii"], ["phone", "FR", "lang:fr"])
p("Chama o Pedro no WhatsApp, +55 11 98765-4321, ele resolve", ["pii"], ["phone", "BR", "lang:pt"])
p("Lost dog found near the office, owner's number on the tag: +44 7911 204587", ["pii"], ["phone", "UK"])
p("If the printer dies again text Raj at +91 98201 44567, he's the only one who knows it", ["pii"], ["phone", "IN"])
p("Mi número nuevo es 612 48 93 07, guardadlo que el viejo ya no funciona", ["pii"], ["phone", "ES", "lang:es"])
p("Anyone going to the airport tomorrow? Call me on 07700 918273", ["pii"], ["phone", "UK", "national"])
p("Our photographer today was amazing, book her: lena.hoffmann.photo@gmail.com", ["pii"], ["email"])
p("If you want the recording, my personal email is tiago_r88@hotmail.com", ["pii"], ["email"])
p("For the reference letter, contact my former boss at j.mendes@yahoo.com.br", ["pii"], ["email"])
p("Onboarding paperwork again 🙄 SSN 531-84-2290, DOB, the works. Why does the cafeteria app need this?", ["pii"], ["ssn"])
p("Payroll keeps rejecting my NI number JG 10 37 44 B, anyone know who to email?", ["pii"], ["nino"])
p("My new National Insurance number arrived: SP384219D. Officially a UK taxpayer 🇬🇧", ["pii"], ["nino"])
# pii near-misses
p("Order #4532-7781-0012 shipped this morning, the new conference swag is on its way 📦", [], ["trap", "numbers"])
p("Tracking number 1Z999AA10123456784 says the monitors arrive Friday.", [], ["trap", "numbers"])
p("Upgraded the cluster to 1.31.2 and the node pool to 2025.10.07-1. Smooth.", [], ["trap", "numbers"])
p("ISBN 978-0-13-468599-1 is on my desk and it's the best book on refactoring.", [], ["trap", "numbers"])
p("The outage started at 2025-10-09T14:32:07Z and ended 17 minutes later. Postmortem soon.", [], ["trap", "numbers"])
p("Unix timestamp 1728561600 is a nice round number if you squint.", [], ["trap", "numbers"])
p("Press enquiries: press@northwind.example. Careers: careers@northwind.example.", [], ["trap", "role-mailbox"])
p("Reach our public support line at +1 800 555 0199, open 24/7.", [], ["trap", "public-phone"])
p("Our sample IBAN in the API docs is GB82 WEST 1234 5698 7654 32, the one every bank tutorial uses. Please don't wire money to it.",
  [], ["trap", "example-iban"])
p("Invoice INV-2025-000418 is paid, thanks finance!", [], ["trap", "numbers"])
p("Build 20251009.4 is green, release candidate tagged as v4.2.0-rc.3", [], ["trap", "numbers"])
p("Conference call moved to 10:30-11:15 CET, same link.", [], ["trap", "numbers"])
p("Test cards only please: Stripe's 4242 4242 4242 4242 is the one for the sandbox.", [], ["trap", "example-card"])
p("Flight TP 1352 lands at 18:40, gate 14. See you at the Berlin office tomorrow.", [], ["trap", "numbers"])

# ---------------------------------------------------------------- Northwind confidential
p("Can't believe I get to work on Orca 7. The demo today gave me chills.", ["confidential"], ["codename", "spacing"])
p("ORCA-7 load tests passed overnight 🐋🐋", ["confidential"], ["codename", "caps"])
p("#Orca7 team dinner tonight, we earned it", ["confidential"], ["codename", "hashtag"])
p("Halcyon's new query planner is 3x faster than what we have in prod. Can't wait for you all to see it.", ["confidential"], ["codename"])
p("Pairing with the Halcyon folks all week, learning so much about storage engines", ["confidential"], ["codename"])
p("Bluefin retro done. Project went from idea to beta in five months!", ["confidential"], ["codename"])
p("Trabalhar no Projeto Bluefin tem sido a melhor experiência da minha carreira", ["confidential"], ["codename", "lang:pt"])
p("We're flying to Frankfurt to present the migration plan to Contoso Bank's CIO on Thursday.", ["confidential"], ["client"])
p("Fabrikam Health's nurses are now scheduling shifts on our platform. This is why I do this job ❤️", ["confidential"], ["client"])
p("Great week with the folks at #FabrikamHealth 👩‍⚕️", ["confidential"], ["client", "hashtag"])
p("Reunión con Contoso Bank mañana en Madrid, ¡deseadnos suerte!", ["confidential"], ["client", "lang:es"])
p("dashboards at grafana.corp.northwind.example/d/relay-latency look way better now", ["confidential"], ["internal-url"])
p("CI is slow today, check ci.corp.northwind.example/queue before you retry everything", ["confidential"], ["internal-url"])
p("Staging is at 10.42.7.15:8443 if anyone wants to poke at the new UI", ["confidential"], ["private-ip"])
p("Q3 was a monster quarter for us. Can't say more until the 23rd, but wow.", ["confidential"], ["financial", "quiet-period"])
p("Closed our biggest deal ever this quarter. Numbers come out on the 23rd and you'll see why I'm smiling 👀", ["confidential"], ["financial", "quiet-period"])
p("Internal dashboard says ARR just crossed $500M. Not public, but I'm so proud of this team.", ["confidential"], ["financial"])
p("Churn this quarter is the lowest we've ever had, the finance team is over the moon. Can't share the figure yet 🤐", ["confidential"], ["financial", "quiet-period"])
p("Heads up friends: the Leeds office is closing at the end of the year. HR tells everyone on Monday.", ["confidential"], ["layoffs"])
p("Hiring freeze starts next week, so if you're in my pipeline, I'm so sorry.", ["confidential"], ["layoffs"])
p("We're in talks to buy a small observability startup in Porto. If it goes through, it's a great fit.", ["confidential"], ["mna"])
p("Atlas pricing goes up 20% in January. Sales got the deck today, customers find out in December.", ["confidential"], ["pricing"])
p("There's an unpatched auth bypass in Relay that we found in the pentest. Fix is scheduled for next sprint, fingers crossed nobody finds it first.", ["confidential"], ["incident"])
p("Snapped a pic of the whiteboard from today's architecture review, love how messy it got 📸", ["confidential"], ["screenshot"])
p("Here's a screenshot of our sales dashboard from this morning, look at that curve 📈", ["confidential"], ["screenshot"])
p("Slide from today's all-hands, stamped NW-RESTRICTED but it's too good not to share", ["confidential"], ["internal-marking"])
p("Reorg announced internally: platform and infra teams merge next month, three directors out. Official comms later.", ["confidential"], ["reorg"])
p("Kestrel SDK 3.0 goes GA on November 12, decided in today's exec sync. You heard it here first 😉", ["confidential"], ["roadmap"])
# Northwind traps
p("Our case study with Tailspin Toys is live: how they cut their event pipeline costs in half.", [], ["trap", "public-customer"])
p("Wide World Importers shared their Relay migration story at our user conference. Great talk!", [], ["trap", "public-customer"])
p("Northwind Atlas 5.0 is out today! Release notes on blog.northwind.example 🚀", [], ["trap", "public-product"])
p("Reminder that Q2 revenue was $412M, up 11% year over year, as published in July. Proud of the team.", [], ["trap", "public-earnings"])
p("Our Q3 earnings call is on October 23; the dial-in details are on investors.northwind.example.", [], ["trap", "public-schedule"])
p("We're in the quiet period, so I won't be commenting on numbers until after the call. Back to code!", [], ["trap", "quiet-period-talk"])
p("Had the best bluefin tuna of my life at a tiny place in Tokyo 🍣", [], ["trap", "codename-lookalike"])
p("Orcas spotted off the coast near Sines this morning! Nature is incredible 🐋", [], ["trap", "codename-lookalike"])
p("Those halcyon days before Slack notifications existed...", [], ["trap", "codename-lookalike"])
p("Every Microsoft tutorial uses Contoso as the example company. I think I know Contoso's org chart better than ours.", [], ["trap", "client-lookalike"])
p("Globex shipped a really nice CLI this week. Healthy competition makes everyone better.", [], ["trap", "competitor"])
p("Security researchers: our disclosure policy is at northwind.example/security and security@northwind.example reads every report.", [], ["trap", "role-mailbox"])
p("Check out the Kestrel SDK docs at docs.northwind.example/kestrel, we rewrote the quickstart.", [], ["trap", "url-public"])
p("Our IPv4 plan for the home lab: 192.168.1.0/24 for everything, because I'm lazy. Weekend project done.", [], ["trap", "private-ip-lookalike"])
p("Great quarter for our open-source community: 120 new contributors to Kestrel!", [], ["trap", "quarter-word"])

# ---------------------------------------------------------------- general confidentiality (not Northwind-specific)
p("Can't share details but our board approved the acquisition last night. Announcement is in two weeks 🤫", ["confidential"], ["mna"])
p("Just saw the draft press release for the layoffs. 8% of the company, the week before Christmas. Awful.", ["confidential"], ["layoffs"])
p("Leaked slide from our internal roadmap: dark mode finally ships in Q1. You didn't hear it from me.", ["confidential"], ["roadmap"])
p("Our margins this quarter are way below guidance and the Street has no idea yet. Gonna be a fun call.", ["confidential"], ["financial"])
# general confidentiality traps
p("Confidential computing is the most underrated topic in cloud security right now. Great talk at KubeCon about enclaves.", [], ["trap", "confidential-word"])
p("Apple reported $94.9B in revenue for the quarter, per their earnings release today. Services keep growing.", [], ["trap", "public-earnings", "news"])
p("\"Company X to cut 5% of workforce,\" reports Reuters. Thinking of everyone affected, our DMs are open if you're hiring.", [], ["trap", "news"])
p("My doctor-patient confidentiality joke did not land at the hospital hackathon. Tough crowd.", [], ["trap", "confidential-word"])

# ---------------------------------------------------------------- profanity
p("wtf is this error message. 'something went wrong'. thanks, very helpful", ["profanity"], ["abbreviation"])
p("ffs the train is late AGAIN", ["profanity"], ["abbreviation"])
p("Absolute clusterfuck of a deploy today. At least nobody got paged at 3am.", ["profanity"], ["strong"])
p("Bloody hell, who scheduled the migration for a Friday afternoon", ["profanity"], ["mild", "uk"])
p("Damn, that demo went sideways fast.", ["profanity"], ["mild"])
p("That's a load of crap and you know it", ["profanity"], ["mild"])
p("This f***ing printer", ["profanity"], ["obfuscated"])
p("Holy shit, our talk got accepted to FOSDEM!! 🎉", ["profanity"], ["positive"])
p("omfg the coffee machine is fixed", ["profanity"], ["abbreviation"])
p("Caralho, perdi o comboio outra vez", ["profanity"], ["lang:pt"])
p("Joder, otra vez se cayó el servidor", ["profanity"], ["lang:es"])
p("Putain, le build est encore cassé", ["profanity"], ["lang:fr"])
p("Verdammte Scheiße, die Datenbank ist weg", ["profanity"], ["lang:de"])
p("sh!tty wifi at the conference as usual", ["profanity"], ["obfuscated"])
p("What a sh1tshow of a release 🙃", ["profanity"], ["leetspeak"])
p("piss poor documentation, honestly", ["profanity"], ["mild"])
p("This is f-ing ridiculous, the tests pass locally", ["profanity"], ["obfuscated"])
p("Mierda, se me olvidó el portátil en casa", ["profanity"], ["lang:es"])
# profanity traps
p("Road trip from Scunthorpe to Cockburnspath via Penistone. Britain's map is a minefield.", [], ["trap", "scunthorpe"])
p("Weekend in Essex, then Sussex, then a wedding in Middlesex. Tired but happy.", [], ["trap", "scunthorpe"])
p("Cockburn Street in Edinburgh has the best record shops.", [], ["trap", "scunthorpe"])
p("Kill Bill double feature tonight. Tarantino at his most Tarantino.", [], ["trap", "film"])
p("Watched Hellraiser for the first time. I did not sleep.", [], ["trap", "film"])
p("Die Hard is a Christmas movie and I will not be taking questions.", [], ["trap", "film"])
p("Dirty Dancing on the big screen at the open-air cinema, 10/10 nostalgia", [], ["trap", "film"])
p("100 hours into Bloodborne and the bosses still destroy me. Send help.", [], ["trap", "game"])
p("Hit the gym at 6am, then crushed a 3-hour deep work block. Killing it today.", [], ["trap", "idiom"])
p("Reading the Dickens collection on my commute. Great Expectations is still great.", [], ["trap", "scunthorpe"])
p("Analysts say the assessment tool is a hit. Class assignments will never be the same.", [], ["trap", "scunthorpe"])
p("The Shitake mushrooms at the farmers market were incredible", [], ["trap", "scunthorpe"])
p("Visiting Bitche in Lorraine this weekend, the citadel is stunning.", [], ["trap", "scunthorpe"])
p("Hancock Tower at sunset, Boston never disappoints.", [], ["trap", "scunthorpe"])
p("Spent the evening debugging a memory leak in the image pipeline. Found it: a cache that never evicted.", [], ["trap", "technical"])
p("`kill -9` is not a deployment strategy, Gary.", [], ["trap", "technical"])
p("git blame says I wrote this bug in 2019. Past me, we need to talk.", [], ["trap", "technical"])
p("Old Redis docs still say master/slave. Glad newer versions moved to primary/replica.", [], ["trap", "technical"])
p("Our pipeline kills zombie processes every 5 minutes, no more stuck jobs.", [], ["trap", "technical"])

# ---------------------------------------------------------------- insults
p("@dev_marco you absolute clown, you force-pushed to main again", ["insult"], ["mention"])
p("My new coworker is such a tool. Takes credit for everything and knows nothing.", ["insult"], ["coworker"])
p("The guys in IT are a bunch of incompetent amateurs. Three days to reset a password.", ["insult"], ["group"])
p("Honestly our product owner is a total idiot, he rejected the only feature customers asked for.", ["insult"], ["plain"])
p("That recruiter who ghosted me after four rounds is a spineless coward.", ["insult"], ["plain"])
p("O meu colega novo é um burro, não sabe fazer um merge", ["insult"], ["lang:pt"])
p("Mi jefe es un inútil, no tiene ni idea de lo que hacemos", ["insult", "tone"], ["lang:es", "venting"])
p("Mon manager est un vrai abruti, il a annulé la démo sans prévenir", ["insult"], ["lang:fr"])
p("Der Typ aus dem Vertrieb ist ein Volltrottel.", ["insult"], ["lang:de"])
p("Whoever reviewed this PR is a brainless dumbass", ["insult", "profanity"], ["plain"])
p("@sarah_k stop posting, you're embarrassing yourself, nobody cares about your opinion you loser", ["insult"], ["mention"])
p("Our new hire from the bootcamp is dumb as a rock. Can't even use git.", ["insult"], ["plain"])
# insult traps
p("I'm such an idiot, I left the stove on and had to run home at lunch.", [], ["trap", "insult-lookalike"])
p("My dog is a complete goofball and I would die for him", [], ["trap", "insult-lookalike"])
p("Idiot-proofing the setup script so even I can't break it.", [], ["trap", "insult-lookalike"])
p("The Idiot by Dostoevsky is on my reading list this winter.", [], ["trap", "insult-lookalike", "book"])

# ---------------------------------------------------------------- discrimination
p("We should stop putting women on the on-call rotation, they always have some kid emergency.", ["discrimination"], ["gender"])
p("Nobody over 50 can learn Kubernetes, let's be honest.", ["discrimination"], ["age"])
p("That UI is so gay lol", ["discrimination"], ["sexuality"])
p("The new PM is a bit retarded about deadlines", ["discrimination"], ["ableism"])
p("Don't send the Indian contractors anything complex, they just copy from Stack Overflow.", ["discrimination"], ["origin"])
p("Our CTO is so OCD about naming conventions it's insane", ["discrimination"], ["ableism"])
p("Old people shouldn't be allowed near production, they can't keep up.", ["discrimination"], ["age"])
p("Ugh, another pregnant candidate. There goes the project timeline.", ["discrimination"], ["pregnancy"])
p("Girls just aren't as good at backend work, it's biology.", ["discrimination"], ["gender"])
p("Don't hire Muslims for client-facing roles, customers don't like it.", ["discrimination"], ["religion"])
# discrimination traps
p("Proud to sponsor the Women in Tech Lisbon meetup again. 200 attendees this year!", [], ["trap", "discrimination-lookalike"])
p("Diwali celebrations at the office today, the sweets were incredible 🪔", [], ["trap", "discrimination-lookalike"])
p("Our accessibility audit found 40 issues for screen reader users. All fixed now.", [], ["trap", "discrimination-lookalike"])
p("Congrats to Maya on her maternity leave! Enjoy every minute, we'll keep your desk warm.", [], ["trap", "discrimination-lookalike"])

# ---------------------------------------------------------------- tone
p("WHY IS PROD DOWN AGAIN AND WHY DID NOBODY TELL ME", ["tone"], ["caps"])
p("Love how my manager schedules a mandatory meeting at 5:30pm on a Friday. Truly visionary leadership.", ["tone"], ["venting", "sarcasm"])
p("My company just announced a pizza party instead of raises. Again. Morale has never been higher.", ["tone"], ["venting", "sarcasm"])
p("Third reorg this year. Nobody in leadership knows what they're doing at this point.", ["tone"], ["venting"])
p("HR at my job lost my paperwork for the second time. It's been two months. I'm done.", ["tone"], ["venting"])
p("Our leadership team has the strategic vision of a goldfish.", ["tone"], ["venting"])
p("Mi empresa es un desastre, nadie sabe lo que hace la dirección", ["tone"], ["venting", "lang:es"])
p("A diretoria desta empresa não faz ideia do que está a fazer. Inacreditável.", ["tone"], ["venting", "lang:pt"])
p("If that guy from accounting touches my monitor one more time I'm going to break his fingers.", ["tone"], ["threat"])
p("Whoever keyed my car in the office garage: I will find you, and you will regret it.", ["tone"], ["threat"])
p("Everyone go report @nw_critic's account until it's gone. Let's flood his mentions.", ["tone"], ["harassment"])
p("Our platform is 100% secure. Nobody has ever breached us and nobody ever will.", ["tone"], ["legal"])
p("Buy $NVDA before earnings, it's going to double, trust me.", ["tone"], ["stock-tip"])
p("Globex is basically a scam, they sell your data to anyone who pays.", ["tone"], ["legal", "competitor"])
p("That lawsuit against us is a joke, their lawyers are clueless and we'll win easily.", ["tone"], ["legal"])
p("STOP ASKING ME FOR STATUS UPDATES EVERY HOUR, I AM WORKING ON IT", ["tone"], ["caps"])
p("Thanks, management, for the 'unlimited PTO' that nobody is allowed to take. Very cool. Very generous.", ["tone"], ["venting", "sarcasm"])
p("Die Chefetage hat mal wieder Meetings über Meetings angesetzt. Produktiv ist hier keiner mehr.", ["tone"], ["venting", "lang:de"])
# tone traps
p("Our team absolutely killed it at the hackathon! First place 🏆", [], ["trap", "idiom"])
p("Shoot for the stars, land on a slightly better dashboard.", [], ["trap", "idiom"])
p("We destroyed them 4-0 in the five-a-side league tonight. Finance team never stood a chance ⚽", [], ["trap", "sports"])
p("Benfica absolutely murdered Porto in the second half. What a game.", [], ["trap", "sports"])
p("My crypto portfolio is down 60%, which means I'm now a long-term investor. 🙃", [], ["trap", "crypto-joke"])
p("Bought a single share of an index fund for my niece's birthday. Teaching compound interest early.", [], ["trap", "stock-lookalike"])
p("NASA, ESA and JAXA all at the same conference panel. Nerd heaven.", [], ["trap", "caps"])
p("BREAKING: the coffee machine on floor 3 is fixed. That's the news.", [], ["trap", "caps"])
p("Our new dashboard is blazing fast, check out the demo video on our blog!", [], ["trap", "positive"])
p("Mondays, am I right? At least the coffee is strong.", [], ["trap", "venting-lookalike"])
p("Honest reflection after 10 years in tech: burnout is real, take your vacation, talk to someone.", [], ["trap", "venting-lookalike"])
p("The Hunger Games prequel was better than expected. Don't @ me.", [], ["trap", "film"])
p("I could kill for a pastel de nata right now.", [], ["trap", "idiom"])
p("Shot a 78 at the golf course today. Personal best!", [], ["trap", "sports"])
p("Who else is crazy excited for the World Cup?", [], ["trap", "idiom"])

# ---------------------------------------------------------------- plain posts (no label, not specifically traps)
plain = [
    "Spent the afternoon pairing with a junior engineer on their first Rust PR. The future is in good hands.",
    "Lisbon meetup next Thursday: talks on event sourcing and a panel on on-call health. Free pizza.",
    "Wrote up my notes on migrating from cron to a proper job scheduler. Link in comments.",
    "Ik ben blij dat ik vandaag mijn eerste conferentietalk heb gegeven!",
    "Hoje fizemos a primeira apresentação do nosso produto em português. Que orgulho da equipa!",
    "Heute war unser erster Tag im neuen Berliner Büro. Die Aussicht ist der Wahnsinn!",
    "Hoy aprendí que los índices parciales en Postgres existen. Cambió mi vida.",
    "Première conférence en français aujourd'hui à Paris, merci à tous pour les questions !",
    "If your retro doesn't produce at least one action item you actually do, it's a meeting, not a retro.",
    "Ten years ago today I wrote my first line of Python. Still learning something every week.",
    "Looking for recommendations: best book on distributed tracing? Mine are all from 2018.",
    "Our interns demoed their projects today and every single one shipped something real. Proud mentor moment.",
    "New blog post: how we cut CI time from 40 to 12 minutes with better caching.",
    "Volunteered at the food bank with the team this morning. Highly recommend it as a team activity.",
    "Quick reminder that the free tier of our public API now includes webhooks. Docs on our site.",
    "Finished my first half marathon today! 2:04, slow and very happy.",
    "My daughter asked what I do at work. I said 'I make computers talk to each other'. She was unimpressed.",
    "Reading group this month: Designing Data-Intensive Applications, chapter 5. Who's in?",
    "Grateful to everyone who sent kind words after my talk. Slides are up on Speaker Deck.",
    "Just hit 1,000 stars on my little side project. Thank you, internet strangers 🙏",
]
for t in plain:
    p(t, [], ["plain"])

# ---------------------------------------------------------------- batch 2
# Written after the rules were changed for batch 1's mistakes and never used to tune them: a check
# that the changes generalize. Ids continue after batch 1 (ho-0316 on), tagged "batch2".
BATCH2 = []


def q(text, labels=(), tags=()):
    BATCH2.append({"text": text, "labels": sorted(labels), "tags": list(tags) + ["batch2"]})


B2_BBAN = {"LV": "aaaa" + "c" * 13, "SK": "n" * 20, "BG": "aaaa" + "n" * 6 + "c" * 8, "EE": "n" * 16, "SI": "n" * 15,
           "HR": "n" * 17, "IS": "n" * 22, "CY": "n" * 8 + "c" * 16, "DK": "n" * 14, "LU": "nnn" + "c" * 13}
IBAN_BBAN.update(B2_BBAN)
J = {c: iban(c) for c in B2_BBAN}
T = {}
T["aws"] = "AKIA" + rnd(UP + "234567", 16)
T["aws_s"] = rnd(B64, 40)
T["ghu"] = "ghu_" + rnd(AN, 36)
T["ghr"] = "ghr_" + rnd(AN, 36)
T["sk48"] = "sk-" + rnd(AN, 48)
T["antadmin"] = "sk-ant-admin01-" + rnd(URL, 93) + "AA"
T["sk_live"] = "sk_live_" + rnd(AN, 34)
T["jwt"] = jwt()
T["glptt"] = "glptt-" + rnd(HEX, 40)
T["hf"] = "hf_" + rnd(UP + LO, 34)
T["xoxe"] = "xoxe.xoxp-1-" + rnd(URL, 140)
T["npm"] = "npm_" + rnd(AN, 36)
T["tg"] = f"{R.randint(100000000, 9999999999)}:AA{rnd(URL, 33)}"
T["gcp"] = "AIza" + rnd(URL, 35)
C2 = {"visa": luhn_complete("4", 16), "mc": luhn_complete("53", 16), "amex": luhn_complete("34", 15)}

q(f"[default]\naws_access_key_id = {T['aws']}\naws_secret_access_key = {T['aws_s']}\n\nwhy does the CLI ignore this profile??", ["secret"], ["aws"])
q(f"GitHub Copilot in the terminal asked me to paste this, is that normal? {T['ghu']}", ["secret"], ["github"])
q(f"refresh token from the GitHub app flow: {T['ghr']} - do these expire?", ["secret"], ["github"])
q(f"const openai = new OpenAI({{ apiKey: '{T['sk48']}' }}) // TODO move to env", ["secret"], ["openai", "code"])
q(f"Admin key for the Anthropic org so finance can pull usage: {T['antadmin']}", ["secret"], ["anthropic"])
q(f"stripe.api_key = \"{T['sk_live']}\"  # prod, careful", ["secret"], ["stripe", "code"])
q(f"Share this link with the customer, it logs them straight in: https://app.example-saas.com/magic?token={T['jwt']}", ["secret"], ["jwt"])
q(f"Project trigger token for the nightly pipeline: {T['glptt']}", ["secret"], ["gitlab"])
q(f"Hugging Face read token for the eval notebook: {T['hf']}", ["secret"], ["huggingface"])
q(f"Telegram alerts bot for the on-call group, token {T['tg']}", ["secret"], ["telegram"])
q(f"<script src=\"https://maps.googleapis.com/maps/api/js?key={T['gcp']}&callback=initMap\"></script> finally renders!", ["secret"], ["gcp"])
q("Per la demo di domani la password è Gelato!2025, non cambiatela", ["secret"], ["password", "lang:it"])
q("Het wachtwoord van de gast-wifi is Stroopwafel#42, veel plezier", ["secret"], ["password", "lang:nl"])
q("ssh root@build-01 with password R3lay-Build!99 if the key auth breaks again", ["secret"], ["password"])
q("Reminder for myself: pwd=Qu1ntaDaRegaleira! for the NAS", ["secret"], ["password"])
q("Use the format ghp_ followed by 36 characters when you mock tokens in tests, never a real one.", [], ["trap", "security-talk"])
q("Rotating the Stripe keys after every offboarding should be policy everywhere. It is now at ours.", [], ["trap", "security-talk"])
q("Password-less login is live for all users. No more 'password123' 🎉", [], ["trap", "security-talk"])
q("export GITHUB_TOKEN=$(gh auth token) is the trick I show every new hire.", [], ["trap", "placeholder"])
q(f"Para o jantar de Natal, transferências para {J['LV']} (a conta da Inga)", ["pii"], ["iban", "LV"])
q(f"Príspevok na darček: {J['SK']}", ["pii"], ["iban", "SK"])
q(f"Bulgarian team fund: {J['BG']}", ["pii"], ["iban", "BG"])
q(f"Ülekanne palun kontole {J['EE']}", ["pii"], ["iban", "EE"])
q(f"Nakazilo za piknik: {J['SI']}", ["pii"], ["iban", "SI"])
q(f"Uplata za team building: {J['HR']}", ["pii"], ["iban", "HR"])
q(f"Leigan fyrir sumarbústaðinn: {J['IS']}", ["pii"], ["iban", "IS"])
q(f"Send the Limassol deposit to {J['CY']}", ["pii"], ["iban", "CY"])
q(f"MobilePay virker ikke, brug {J['DK']}", ["pii"], ["iban", "DK"])
q(f"Virement pour le cadeau: {J['LU']}", ["pii"], ["iban", "LU", "lang:fr"])
q(f"Cliente leu o cartão ao telefone: {C2['visa']} validade 03/28", ["pii"], ["card", "lang:pt"])
q(f"card on file for the team Uber account is {group(C2['mc'], [4, 4, 4, 4], '.')}", ["pii"], ["card", "dots"])
q(f"Amex ending... actually here's the whole thing {group(C2['amex'], [4, 6, 5])} lol", ["pii"], ["card", "amex"])
q("Chiamate Giulia al +39 347 123 4567 per le chiavi dell'ufficio", ["pii"], ["phone", "IT"])
q("Bel me even: +31 6 1234 5678", ["pii"], ["phone", "NL"])
q("Zadzwoń do Tomka: +48 601 234 567, on ma klucze", ["pii"], ["phone", "PL"])
q("My brother is looking for a job in data, ping him at miguel.santos.dev@outlook.com", ["pii"], ["email"])
q("The gym perk signup form wants my SSN (287-65-4390). For a gym. Why.", ["pii"], ["ssn"])
q("National insurance no. for the contractor: NH 82 55 14 A, please add to payroll", ["pii"], ["nino"])
q("Release 2025.10.3 is out, 3,412 commits since 2024.1.0.", [], ["trap", "numbers"])
q("Our booth number at the expo is 4-117, next to the coffee cart.", [], ["trap", "numbers"])
q("Parcel tracking: JD014600006281234567 - DHL says Thursday.", [], ["trap", "numbers"])
q("The Orca-7 team finally has a name for their mascot: Kevin. Don't ask.", ["confidential"], ["codename"])
q("Weekend hackathon on top of the Halcyon storage engine, internal only for now but wow", ["confidential"], ["codename"])
q("Fabrikam Health renewed for five more years, biggest contract in the region 🎉", ["confidential"], ["client"])
q("Pipeline for Q3 looks insane, we're way above target. More on the 23rd 😏", ["confidential"], ["financial", "quiet-period"])
q("jira.corp.northwind.example/browse/HAL-221 is the ticket if you want to follow along", ["confidential"], ["internal-url"])
q("Heard from a director that Boston gets shut down next spring. Haven't been told officially.", ["confidential"], ["layoffs"])
q("Sneak peek: Relay gets a free tier in March, decided yesterday, not on the public roadmap yet", ["confidential"], ["roadmap"])
q("Our external pentest found an SSRF in Atlas. Not fixed yet, so don't go poking.", ["confidential"], ["incident"])
q("Northwind Relay just got SOC 2 Type II, report available to customers on request.", [], ["trap", "public-product"])
q("Fun fact: bluefin can swim at 70 km/h. Learned that on the aquarium trip with the kids.", [], ["trap", "codename-lookalike"])
q("Tailspin Toys and Wide World Importers both spoke at our summit. Recordings on our YouTube.", [], ["trap", "public-customer"])
q("Q2 results are on investors.northwind.example: $412M revenue, 11% growth. Proud.", [], ["trap", "public-earnings"])
q("HR at this company couldn't organize a fire drill in a burning building.", ["tone"], ["venting"])
q("Leadership promised raises 'next quarter' for the fourth quarter in a row. Lol. Lmao even.", ["tone"], ["venting"])
q("THE DEPLOY IS BROKEN AND NOBODY IS ANSWERING THEIR PHONE", ["tone"], ["caps"])
q("To whoever keeps microwaving fish in the 3rd floor kitchen: I will find you.", ["tone"], ["threat"])
q("Our SDK is totally unhackable. Try us.", ["tone"], ["legal"])
q("Load up on $NWLB before the 23rd. Thank me later.", ["tone", "confidential"], ["stock-tip", "quiet-period"])
q("The team crushed it at the quarterly hackathon, 14 demos in 2 hours!", [], ["trap", "idiom"])
q("Finally watched Reservoir Dogs. Mr. Pink had a point about tipping.", [], ["trap", "film"])
q("Elden Ring DLC boss killed me 40 times. I'll get it tonight.", [], ["trap", "game"])
q("Went long on coffee this morning. Three espressos. No regrets.", [], ["trap", "stock-lookalike"])
q("Shit happens, the postmortem is blameless for a reason.", ["profanity"], ["plain"])
q("what a fcking week", ["profanity"], ["obfuscated"])
q("Porra, esqueci-me do carregador no escritório", ["profanity"], ["lang:pt"])
q("That demo was bad-ass, congrats team 🔥", ["profanity"], ["mild"])
q("Weekend hike from Twatt to Brough of Birsay, Orkney is unreal.", [], ["trap", "scunthorpe"])
q("The Cockburn Association does great work preserving Edinburgh's old town.", [], ["trap", "scunthorpe"])
q("Spent the day in Lower Slaughter and Upper Slaughter. Cotswolds villages are the cutest.", [], ["trap", "scunthorpe"])
q("@tom_ops you utter buffoon, you deleted the staging DB", ["insult"], ["mention"])
q("Our vendor's account manager is a lying weasel, never trust a word he says.", ["insult"], ["plain"])
q("Mein Chef ist ein totaler Versager.", ["insult"], ["lang:de"])
q("Called myself a moron three times during the demo. Self-awareness is growth.", [], ["trap", "insult-lookalike"])
q("The Jerk is still one of Steve Martin's funniest films.", [], ["trap", "insult-lookalike", "film"])
q("Never hire moms for startup roles, they'll never commit to the hours.", ["discrimination"], ["pregnancy", "family"])
q("Typical millennial devs, they need a safe space for every code review.", ["discrimination"], ["age"])
q("He's such a spaz with the keyboard shortcuts lol", ["discrimination"], ["ableism"])
q("We celebrated Eid with the whole Berlin team today, thank you Amira for the baklava!", [], ["trap", "discrimination-lookalike"])
q("Our neurodivergent ERG hosted a great session on focus and open offices.", [], ["trap", "discrimination-lookalike"])
q("Merci à toute l'équipe de Lisbonne pour cette semaine incroyable !", [], ["plain", "lang:fr"])
q("Leyendo sobre CRDTs un domingo por la tarde. Así soy yo.", [], ["plain", "lang:es"])
q("Shipping a tiny CLI that formats SQL. Feedback welcome, link below.", [], ["plain"])
q("Just donated blood at the office drive. Took 10 minutes, go do it.", [], ["plain"])
q("Ich habe heute meinen ersten Open-Source-PR gemerged bekommen!", [], ["plain", "lang:de"])


def main():
    R2 = random.Random(7)
    posts = POSTS[:]
    R2.shuffle(posts)
    posts += BATCH2
    for i, post in enumerate(posts, 1):
        row = {"id": f"ho-{i:04d}", "text": post["text"], "labels": post["labels"], "source": "heldout", "tags": post["tags"]}
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
