#include "validator.h"

#include "common/credentialredaction.h"

#include <QHostAddress>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>

namespace rd {

namespace {

const QRegularExpression &namePattern()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\\z"));
    return re;
}

const QRegularExpression &pathPattern()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9._/@+-]+\\z"));
    return re;
}

Error fieldError(const QString &field, QString message, QString hint = {})
{
    return Error{std::move(message), std::move(hint), field};
}

bool hasControlCharacters(const QString &value, bool allowNewlines)
{
    for (QChar c : value) {
        if (allowNewlines && (c == u'\n' || c == u'\t' || c == u'\r'))
            continue;
        if (c.category() == QChar::Other_Control)
            return true;
    }
    return false;
}

bool isDottedQuadLike(const QString &value)
{
    static const QRegularExpression re(QStringLiteral("^[0-9.]+\\z"));
    return re.match(value).hasMatch();
}

void add(QList<Error> &errors, std::optional<Error> error)
{
    if (error)
        errors.append(std::move(*error));
}

} // namespace

std::optional<Error> Validator::name(const QString &value, const QString &field)
{
    if (value.isEmpty())
        return fieldError(field, tr("The name is empty."), tr("Enter a short name such as web-01."));
    if (!namePattern().match(value).hasMatch())
        return fieldError(field, tr("The name \"%1\" is not allowed.").arg(value),
                          tr("Use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."));
    return std::nullopt;
}

std::optional<Error> Validator::username(const QString &value, bool required)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.-]{0,31}\\z"));
    if (value.isEmpty()) {
        if (!required)
            return std::nullopt;
        return fieldError(QStringLiteral("username"), tr("The user name is empty."),
                          tr("Enter the remote login, for example deploy."));
    }
    if (!re.match(value).hasMatch())
        return fieldError(QStringLiteral("username"), tr("The user name \"%1\" is not a valid login.").arg(value),
                          tr("Use up to 32 letters, digits, '.', '_' or '-', starting with a letter or '_'."));
    return std::nullopt;
}

std::optional<Error> Validator::host(const QString &raw)
{
    const QString field = QStringLiteral("host");
    if (raw.isEmpty())
        return fieldError(field, tr("The host is empty."), tr("Enter a host name or an IPv4 or IPv6 address."));
    // QHostAddress skips blanks around an address; a host is one word.
    if (std::ranges::any_of(raw, [](QChar c) { return c.isSpace() || c.category() == QChar::Other_Control; }))
        return fieldError(field, tr("The host \"%1\" contains a space or control character.").arg(raw.simplified()),
                          tr("Enter a host name or an IPv4 or IPv6 address."));
    QString value = raw;
    if (value.startsWith(u'[') && value.endsWith(u']'))
        value = value.mid(1, value.size() - 2);
    if (value.contains(u':')) {
        QHostAddress address;
        if (address.setAddress(value) && address.protocol() == QAbstractSocket::IPv6Protocol && value.size() <= 45
            && !value.contains(u'%'))
            return std::nullopt;
        return fieldError(field, tr("\"%1\" is not a valid IPv6 address.").arg(raw),
                          tr("Write it like 2001:db8::10, without a port or zone."));
    }
    if (isDottedQuadLike(value)) {
        const QStringList parts = value.split(u'.');
        bool valid = parts.size() == 4;
        for (const QString &part : parts) {
            bool ok = false;
            const int octet = part.toInt(&ok);
            valid = valid && ok && !part.isEmpty() && part.size() <= 3 && octet <= 255
                    && (part.size() == 1 || !part.startsWith(u'0'));
        }
        if (valid)
            return std::nullopt;
        return fieldError(field, tr("\"%1\" is not a valid IPv4 address.").arg(raw),
                          tr("Use four numbers from 0 to 255 separated by dots, like 192.0.2.10."));
    }
    static const QRegularExpression label(QStringLiteral("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\z"));
    QString hostName = value.endsWith(u'.') ? value.chopped(1) : value;
    bool valid = !hostName.isEmpty() && hostName.size() <= 253;
    const QStringList labels = hostName.split(u'.');
    for (const QString &part : labels)
        valid = valid && label.match(part).hasMatch();
    if (!valid)
        return fieldError(field, tr("\"%1\" is not a valid host name.").arg(raw),
                          tr("A host name is made of dot-separated labels of letters, digits and inner '-', "
                             "each at most 63 characters (RFC 1123)."));
    return std::nullopt;
}

std::optional<Error> Validator::port(int value)
{
    if (value < 1 || value > 65535)
        return fieldError(QStringLiteral("port"), tr("The port %1 is out of range.").arg(value),
                          tr("Use a number from 1 to 65535; SSH listens on 22 unless configured otherwise."));
    return std::nullopt;
}

std::optional<Error> Validator::port(const QString &text, int *value)
{
    bool ok = false;
    const int number = text.trimmed().toInt(&ok);
    if (!ok)
        return fieldError(QStringLiteral("port"), tr("The port \"%1\" is not a number.").arg(text),
                          tr("Use a number from 1 to 65535; SSH listens on 22 unless configured otherwise."));
    if (value)
        *value = number;
    return port(number);
}

std::optional<Error> Validator::deployRoot(const QString &value)
{
    const QString field = QStringLiteral("deployRoot");
    const QString hint = tr("Use an absolute path such as /srv/app, made of letters, digits and . _ - @ + /.");
    if (value.isEmpty())
        return fieldError(field, tr("The deploy root is empty."), hint);
    if (!value.startsWith(u'/'))
        return fieldError(field, tr("The deploy root \"%1\" is not an absolute path.").arg(value), hint);
    if (value == u"/" || value.endsWith(u'/'))
        return fieldError(field, tr("The deploy root \"%1\" must name a directory below /, without a trailing "
                                    "slash.").arg(value), hint);
    if (!pathPattern().match(value).hasMatch())
        return fieldError(field, tr("The deploy root \"%1\" contains characters that are not allowed.").arg(value),
                          hint);
    for (const QString &part : value.split(u'/').mid(1)) {
        if (part.isEmpty() || part == u"." || part == u"..")
            return fieldError(field, tr("The deploy root \"%1\" contains an empty, '.' or '..' component.")
                                         .arg(value), hint);
    }
    return std::nullopt;
}

std::optional<Error> Validator::sharedPath(const QString &value)
{
    const QString field = QStringLiteral("sharedPaths");
    const QString hint = tr("Use a path relative to the release, such as storage/logs or .env.");
    if (value.isEmpty() || value.startsWith(u'/') || value.endsWith(u'/'))
        return fieldError(field, tr("The shared path \"%1\" must be relative and not end with '/'.").arg(value),
                          hint);
    if (!pathPattern().match(value).hasMatch())
        return fieldError(field, tr("The shared path \"%1\" contains characters that are not allowed.").arg(value),
                          hint);
    for (const QString &part : value.split(u'/')) {
        if (part.isEmpty() || part == u"." || part == u"..")
            return fieldError(field, tr("The shared path \"%1\" contains an empty, '.' or '..' component.")
                                         .arg(value), hint);
    }
    return std::nullopt;
}

std::optional<Error> Validator::gitUrl(const QString &value)
{
    const QString field = QStringLiteral("gitUrl");
    const QString shown = CredentialRedaction::apply(value);
    const QString hint = tr("Use https://host/group/repo.git, ssh://user@host[:port]/path, user@host:path "
                            "or file:///absolute/path.");
    if (value.isEmpty())
        return fieldError(field, tr("The git URL is empty."), hint);
    // A local path reaches libgit2 only, never a shell: spaces are fine there.
    if (value.startsWith(u'/') && !hasControlCharacters(value, false))
        return std::nullopt;
    for (QChar c : value) {
        if (c.isSpace() || c.category() == QChar::Other_Control)
            return fieldError(field, tr("The git URL \"%1\" contains a space or control character.").arg(shown),
                              hint);
    }
    if (value.startsWith(u'-'))
        return fieldError(field, tr("The git URL \"%1\" must not start with '-'.").arg(shown), hint);
    if (value.contains(QStringLiteral("::")) && !value.contains(QStringLiteral("://")))
        return fieldError(field, tr("The git URL \"%1\" uses a remote helper (\"::\"), which could run programs.")
                                     .arg(shown),
                          hint);

    const qsizetype schemeEnd = value.indexOf(QStringLiteral("://"));
    if (schemeEnd > 0) {
        const QUrl url(value, QUrl::StrictMode);
        const QString scheme = url.scheme().toLower();
        if (!url.isValid())
            return fieldError(field, tr("The git URL \"%1\" is malformed: %2").arg(shown, url.errorString()), hint);
        if (!url.password().isEmpty())
            return fieldError(field, tr("The git URL contains a password."),
                              tr("Remove it from the URL; use an SSH key or a credential helper instead, so the "
                                 "password is not stored in plain text."));
        if (scheme == u"file") {
            if (url.path().isEmpty() || !url.path().startsWith(u'/') || !url.host().isEmpty())
                return fieldError(field, tr("The file URL \"%1\" must name an absolute local path.").arg(shown),
                                  hint);
            return std::nullopt;
        }
        static const QStringList schemes{QStringLiteral("https"), QStringLiteral("http"), QStringLiteral("ssh"),
                                         QStringLiteral("git+ssh"), QStringLiteral("ssh+git"), QStringLiteral("git")};
        if (!schemes.contains(scheme))
            return fieldError(field, tr("The URL scheme \"%1\" is not supported for git.").arg(scheme), hint);
        if (auto error = host(url.host()))
            return fieldError(field, tr("The git URL \"%1\" has an invalid host: %2").arg(shown, error->message),
                              hint);
        if (url.port() == 0)
            return fieldError(field, tr("The git URL \"%1\" has an invalid port.").arg(shown), hint);
        if (url.path().isEmpty() || url.path() == u"/")
            return fieldError(field, tr("The git URL \"%1\" names no repository path.").arg(shown), hint);
        return std::nullopt;
    }
    // scp-like: [user@]host:path
    static const QRegularExpression scpLike(QStringLiteral("^(?:([A-Za-z0-9_.-]+)@)?([^@:/]+):(.+)\\z"));
    const auto match = scpLike.match(value);
    if (!match.hasMatch())
        return fieldError(field, tr("The git URL \"%1\" is not in a form git understands.").arg(shown), hint);
    if (auto error = host(match.captured(2)))
        return fieldError(field, tr("The git URL \"%1\" has an invalid host: %2").arg(shown, error->message), hint);
    return std::nullopt;
}

bool Validator::isUnauthenticated(const QString &gitUrl)
{
    const QString lower = gitUrl.trimmed().toLower();
    return lower.startsWith(QStringLiteral("http://")) || lower.startsWith(QStringLiteral("git://"));
}

std::optional<Error> Validator::transport(const QString &gitUrl, bool allowUnauthenticated)
{
    if (!isUnauthenticated(gitUrl) || allowUnauthenticated)
        return std::nullopt;
    return fieldError(QStringLiteral("gitUrl"),
                      tr("The git URL %1 fetches the code to deploy without authenticating the server: anyone on "
                         "the network path can change what gets deployed.")
                          .arg(CredentialRedaction::apply(gitUrl)),
                      tr("Use https:// or ssh://. If you accept the risk, allow it explicitly for this project "
                         "(--allow-unauthenticated, or the check box under the URL)."));
}

std::optional<Error> Validator::branch(const QString &value)
{
    const QString field = QStringLiteral("defaultBranch");
    static const QRegularExpression forbidden(QStringLiteral("[\\s~^:?*\\[\\\\\\x00-\\x1f\\x7f]"));
    const QString hint = tr("Use a git branch name such as main or release/2.1.");
    if (value.isEmpty())
        return fieldError(field, tr("The branch is empty."), hint);
    if (forbidden.match(value).hasMatch() || value.startsWith(u'-') || value.startsWith(u'/')
        || value.endsWith(u'/') || value.endsWith(u'.') || value.endsWith(QStringLiteral(".lock"))
        || value.contains(QStringLiteral("..")) || value.contains(QStringLiteral("//"))
        || value.contains(QStringLiteral("@{")) || value == u"@" || value.startsWith(u'.')
        || value.contains(QStringLiteral("/.")) || value.contains(QStringLiteral(".lock/")))
        return fieldError(field, tr("\"%1\" is not a valid git branch name.").arg(value), hint);
    return std::nullopt;
}

std::optional<Error> Validator::tag(const QString &value)
{
    if (!namePattern().match(value).hasMatch())
        return fieldError(QStringLiteral("tags"), tr("The tag \"%1\" is not allowed.").arg(value),
                          tr("Use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."));
    return std::nullopt;
}

std::optional<Error> Validator::freeText(const QString &value, const QString &field, int maxLength, bool multiline)
{
    if (value.size() > maxLength)
        return fieldError(field, tr("The text is %1 characters long; at most %2 are allowed.")
                                     .arg(value.size())
                                     .arg(maxLength));
    if (hasControlCharacters(value, multiline))
        return fieldError(field, multiline ? tr("The text contains control characters.")
                                           : tr("The text contains line breaks or control characters."),
                          tr("Remove them; only printable text is kept."));
    return std::nullopt;
}

QList<Error> Validator::check(const SshKey &key)
{
    QList<Error> errors;
    add(errors, name(key.name));
    add(errors, username(key.username));
    switch (key.kind) {
    case KeyKind::Stored:
        if (key.sealedPrivateKey.isEmpty())
            errors.append(fieldError(QStringLiteral("privateKey"), tr("A stored key needs its private key."),
                                     tr("Paste the private key, or choose \"key file\" or \"ssh-agent\".")));
        break;
    case KeyKind::File:
        if (!key.keyPath.startsWith(u'/'))
            errors.append(fieldError(QStringLiteral("keyPath"),
                                     tr("The key file \"%1\" is not an absolute path.").arg(key.keyPath),
                                     tr("Choose the private key file, for example /home/me/.ssh/id_ed25519.")));
        break;
    case KeyKind::Agent:
        break;
    }
    add(errors, freeText(key.publicKey, QStringLiteral("publicKey"), 16384, false));
    return errors;
}

QList<Error> Validator::check(const Server &server)
{
    QList<Error> errors;
    add(errors, name(server.name));
    add(errors, host(server.host));
    add(errors, port(server.port));
    add(errors, username(server.username, false));
    for (const QString &t : server.tags)
        add(errors, tag(t));
    add(errors, freeText(server.department, QStringLiteral("department"), 128, false));
    add(errors, freeText(server.owner, QStringLiteral("owner"), 128, false));
    add(errors, freeText(server.notes, QStringLiteral("notes"), 8192, true));
    return errors;
}

QList<Error> Validator::check(const Project &project)
{
    QList<Error> errors;
    add(errors, name(project.name));
    add(errors, gitUrl(project.gitUrl));
    add(errors, transport(project.gitUrl, project.allowUnauthenticated));
    add(errors, branch(project.defaultBranch));
    if (project.keepReleases < 2 || project.keepReleases > 100)
        errors.append(fieldError(QStringLiteral("keepReleases"),
                                 tr("Keeping %1 releases is not possible.").arg(project.keepReleases),
                                 tr("Keep from 2 to 100: the current release and the one before it always stay.")));
    for (const QString &exclude : project.packageExcludes) {
        if (exclude.isEmpty() || exclude.contains(u'\n'))
            errors.append(fieldError(QStringLiteral("packageExcludes"), tr("A package exclude is empty."),
                                     tr("Write one pattern per line, such as node_modules or *.log.")));
    }
    return errors;
}

QList<Error> Validator::check(const Environment &environment)
{
    QList<Error> errors;
    if (environment.projectId <= 0)
        errors.append(fieldError(QStringLiteral("project"), tr("The environment belongs to no project."),
                                 tr("Choose the project it deploys.")));
    add(errors, name(environment.name));
    add(errors, deployRoot(environment.deployRoot));
    for (const QString &path : environment.sharedPaths)
        add(errors, sharedPath(path));
    if (environment.parallelism < 1 || environment.parallelism > 500)
        errors.append(fieldError(QStringLiteral("parallelism"),
                                 tr("A parallelism of %1 is out of range.").arg(environment.parallelism),
                                 tr("Use 1 to 500 servers at once.")));
    static const QStringList strategies{QStringLiteral("full"), QStringLiteral("rolling"), QStringLiteral("gray"),
                                        QStringLiteral("patch")};
    if (!strategies.contains(environment.strategy))
        errors.append(fieldError(QStringLiteral("strategy"),
                                 tr("The strategy \"%1\" is unknown.").arg(environment.strategy),
                                 tr("Choose full, rolling, gray or patch.")));
    QList<qint64> seen;
    for (qint64 id : environment.serverIds) {
        if (seen.contains(id)) {
            errors.append(fieldError(QStringLiteral("servers"), tr("A server is listed twice."),
                                     tr("Each server can be in an environment once.")));
            break;
        }
        seen.append(id);
    }
    return errors;
}

QList<Error> Validator::check(const HookTemplate &hook)
{
    QList<Error> errors;
    if (hook.title.trimmed().isEmpty())
        errors.append(fieldError(QStringLiteral("title"), tr("The template needs a title."),
                                 tr("Name it after what it does, for example \"Restart nginx\".")));
    add(errors, freeText(hook.title, QStringLiteral("title"), 80, false));
    if (hook.script.trimmed().isEmpty())
        errors.append(fieldError(QStringLiteral("script"), tr("The script is empty."),
                                 tr("Write the shell commands to run at this stage.")));
    add(errors, freeText(hook.script, QStringLiteral("script"), 65536, true));
    return errors;
}

Error Validator::combine(const QList<Error> &errors)
{
    if (errors.size() == 1)
        return errors.first();
    QStringList lines;
    for (const Error &error : errors)
        lines.append(error.field.isEmpty() ? error.text() : error.field + QStringLiteral(": ") + error.text());
    return Error{tr("%n field(s) are not valid:", nullptr, int(errors.size())) + u'\n' + lines.join(u'\n'), {},
                 errors.isEmpty() ? QString() : errors.first().field};
}

} // namespace rd
