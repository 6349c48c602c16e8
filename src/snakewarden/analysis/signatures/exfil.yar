// Where stolen data goes, and the secrets stealers look for.

rule sw_exfil_chat
{
    strings:
        $discord = /discord(app)?\.com\/api\/webhooks\// nocase
        $telegram = /api\.telegram\.org\/bot/ nocase
        $slack = "hooks.slack.com/services/" nocase
        $discord_api = /discord(app)?\.com\/api\/v[0-9]+\/(users\/@me|channels\/)/ nocase
    condition:
        any of them
}

// A chat channel with its credentials written into the code: whoever reads it can post there,
// so only its owner (the attacker) hardcodes it.
rule sw_exfil_hardcoded
{
    strings:
        $discord_hook = /discord(app)?\.com\/api\/webhooks\/[0-9]{17,20}\/[A-Za-z0-9_-]{60,70}/ nocase
        $telegram_token = /[^0-9][0-9]{8,11}:AA[A-Za-z0-9_-]{33}/
        $slack_hook = /hooks\.slack\.com\/services\/T[A-Z0-9]{8,12}\/B[A-Z0-9]{8,12}\/[A-Za-z0-9]{24}/
    condition:
        any of them
}

rule sw_exfil_endpoint
{
    strings:
        $webhooksite = "webhook.site" nocase
        $pipedream = /\.m\.pipedream\.net/ nocase
        $requestbin = /requestbin\.(net|com)|\.requestcatcher\.com|hookb\.in|\.beeceptor\.com|webhook\.cool/ nocase
        $oast = /\.(oast\.(fun|pro|me|live|site|online)|interact\.sh|interactsh\.com|burpcollaborator\.net|oastify\.com|dnslog\.cn|ceye\.io|canarytokens\.com)\b/ nocase
        $ngrok = /[a-z0-9-]+\.(ngrok\.io|ngrok-free\.app|ngrok\.app|trycloudflare\.com|serveo\.net|loca\.lt)/ nocase
    condition:
        any of them
}

rule sw_ip_lookup
{
    strings:
        $a = /api[0-9]?\.ipify\.org/ nocase
        $b = /ipinfo\.io\/(json|ip)/ nocase
        $c = "ifconfig.me" nocase
        $d = "checkip.amazonaws.com" nocase
        $e = /ip-api\.com\/json/ nocase
        $f = "icanhazip.com" nocase
        $g = "myexternalip.com" nocase
        $h = "geolocation-db.com" nocase
        $i = "ipapi.co" nocase
    condition:
        any of them
}

rule sw_file_host
{
    strings:
        $a = /pastebin\.com\/raw/ nocase
        $b = /(cdn|media)\.discordapp\.(com|net)\/attachments\/[^\n'"]{0,200}\.(exe|scr|bat|ps1|vbs|dll|py|zip)/ nocase
        $c = /transfer\.sh\// nocase
        $d = /anonfiles\.com|gofile\.io\/|file\.io\/|paste\.ee\/r\/|rentry\.co\/[^\n]{0,40}\/raw|hastebin\.com\/raw|ghostbin/ nocase
        $e = /https?:\/\/[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(:[0-9]{2,5})?\/[^\s'"]{0,120}\.(exe|scr|bat|ps1|vbs|sh|bin|elf|msi|dll)\b/ nocase
        $f = /https?:\/\/[^\s'"\/]{1,100}\/[^\s'"]{0,200}\.(exe|scr|vbs|ps1|msi)['"]/ nocase
    condition:
        any of them
}

rule sw_raw_ip_url
{
    strings:
        $u = /https?:\/\/[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(:[0-9]{2,5})?[\/'"]/
        $local = /https?:\/\/(127\.|0\.0\.0\.0|10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|169\.254\.)/
    condition:
        $u and not $local
}

rule sw_credential_paths
{
    strings:
        $ssh = /\.ssh[\/\\]+(id_rsa|id_dsa|id_ecdsa|id_ed25519|authorized_keys|known_hosts)/
        $aws = /\.aws[\/\\]+credentials/
        $gcloud = /\.config[\/\\]+gcloud/
        $azure = /\.azure[\/\\]+/
        $kube = /\.kube[\/\\]+config/
        $docker = /\.docker[\/\\]+config\.json/
        $npmrc = /['"\/\\~]\.npmrc\b/
        $pypirc = /['"\/\\~]\.pypirc\b/
        $gitcred = ".git-credentials"
        $shadow = "/etc/shadow"
        $history = /\.(bash|zsh)_history/
        $login_data = "Login Data"
        $local_state = "Local State"
        $web_data = "Web Data"
        $leveldb = /Local Storage[\/\\]+leveldb/
        $tdata = /Telegram Desktop[\/\\]+tdata/ nocase
        $wallet = /wallet\.dat|Exodus[\/\\]+exodus\.wallet|Electrum[\/\\]+wallets|Atomic[\/\\]+Local Storage|Ethereum[\/\\]+keystore/ nocase
        $metamask = "nkbihfbeogaeaoehlefnkodbefgpgknn"
        $dpapi = "CryptUnprotectData"
        $enckey = /os_crypt.{0,12}encrypted_key/
        $token_re = /\{2[3-6]\}\\\.[^\n]{0,30}\{6\}\\\./
        $discord_enc = "dQw4w9WgXcQ"
        $keychain = /login\.keychain|security\s+find-(generic|internet)-password/
        $cookies_db = /Network[\/\\]+Cookies|cookies\.sqlite/
        $ftp = /FileZilla[\/\\]+(recentservers|sitemanager)\.xml/ nocase
        $steam = /Steam[\/\\]+config[\/\\]+loginusers\.vdf/ nocase
    condition:
        any of them
}

rule sw_browser_profiles
{
    strings:
        $chrome = /Google[\/\\]+Chrome[\/\\]+User Data/ nocase
        $edge = /Microsoft[\/\\]+Edge[\/\\]+User Data/ nocase
        $brave = /BraveSoftware[\/\\]+Brave-Browser/ nocase
        $opera = /Opera Software[\/\\]+Opera/ nocase
        $yandex = /Yandex[\/\\]+YandexBrowser/ nocase
        $vivaldi = /Vivaldi[\/\\]+User Data/ nocase
        $firefox = /Mozilla[\/\\]+Firefox[\/\\]+Profiles/ nocase
        $discord = /(discord|discordcanary|discordptb|Lightcord)[\/\\]+Local Storage/ nocase
        $chromium = /Chromium[\/\\]+User Data/ nocase
    condition:
        2 of them or $discord
}
