#include "knownhosts.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QSaveFile>

namespace rd {

KnownHosts::KnownHosts(QString path) : m_path(std::move(path)) {}

QString KnownHosts::hostPattern(const QString &host, int port)
{
    QString bare = host;
    if (bare.startsWith(u'[') && bare.endsWith(u']'))
        bare = bare.mid(1, bare.size() - 2);
    if (port == 22)
        return bare;
    return u'[' + bare + QStringLiteral("]:") + QString::number(port);
}

std::optional<KnownHosts::Entry> KnownHosts::parse(const QString &line)
{
    const QString trimmed = line.trimmed();
    if (trimmed.isEmpty() || trimmed.startsWith(u'#'))
        return std::nullopt;
    QStringList fields = trimmed.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    Entry entry;
    if (!fields.isEmpty() && fields.first().startsWith(u'@')) {
        if (fields.first() != u"@revoked")
            return std::nullopt; // @cert-authority: certificates are not used here
        entry.revoked = true;
        fields.removeFirst();
    }
    if (fields.size() < 3)
        return std::nullopt;
    entry.hosts = fields[0];
    entry.type = fields[1];
    entry.blob = QByteArray::fromBase64(fields[2].toLatin1());
    entry.line = trimmed;
    if (entry.blob.isEmpty())
        return std::nullopt;
    return entry;
}

bool KnownHosts::matches(const Entry &entry, const QString &host, int port)
{
    const QString name = hostPattern(host, port);
    bool matched = false;
    for (const QString &pattern : entry.hosts.split(u',', Qt::SkipEmptyParts)) {
        if (pattern.startsWith(QStringLiteral("|1|"))) {
            const QStringList parts = pattern.split(u'|');
            if (parts.size() != 4)
                continue;
            const QByteArray salt = QByteArray::fromBase64(parts[2].toLatin1());
            const QByteArray expected = QByteArray::fromBase64(parts[3].toLatin1());
            if (QMessageAuthenticationCode::hash(name.toUtf8(), salt, QCryptographicHash::Sha1) == expected)
                matched = true;
            continue;
        }
        const bool negated = pattern.startsWith(u'!');
        const QString glob = negated ? pattern.mid(1) : pattern;
        // OpenSSH patterns know only * and ?; everything else, [ ] of [host]:port included, is literal.
        QString regex = QRegularExpression::escape(glob);
        regex.replace(QStringLiteral("\\*"), QStringLiteral(".*")).replace(QStringLiteral("\\?"), QStringLiteral("."));
        const QRegularExpression re(QRegularExpression::anchoredPattern(regex),
                                    QRegularExpression::CaseInsensitiveOption);
        if (re.match(name).hasMatch()) {
            if (negated)
                return false;
            matched = true;
        }
    }
    return matched;
}

QList<KnownHosts::Entry> KnownHosts::load(Error *error) const
{
    QList<Entry> entries;
    QFile file(m_path);
    if (!file.exists())
        return entries;
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        if (error)
            *error = Error{tr("Could not read the known hosts file %1: %2").arg(m_path, file.errorString()),
                           tr("Check its permissions."), {}};
        return entries;
    }
    while (!file.atEnd()) {
        if (auto entry = parse(QString::fromUtf8(file.readLine())))
            entries.append(*entry);
    }
    return entries;
}

void KnownHosts::check(HostKeyInfo &info) const
{
    QMutexLocker lock(&m_mutex);
    info.state = HostKeyState::Unknown;
    info.storedFingerprint.clear();
    const QList<Entry> entries = load(nullptr);
    for (const Entry &entry : entries) {
        if (entry.revoked && entry.blob == info.blob && matches(entry, info.host, info.port)) {
            info.state = HostKeyState::Revoked;
            return;
        }
    }
    for (const Entry &entry : entries) {
        if (entry.revoked || entry.type != info.type || !matches(entry, info.host, info.port))
            continue;
        if (entry.blob == info.blob) {
            info.state = HostKeyState::Known;
            return;
        }
        info.state = HostKeyState::Changed;
        info.storedFingerprint = HostKeyInfo::fingerprintOf(entry.blob);
    }
    if (info.state != HostKeyState::Unknown)
        return;
    // We ask for the stored key type first: a server that offers another one no longer has the key
    // we know. That is a change to look into, not a first contact.
    for (const Entry &entry : entries) {
        if (!entry.revoked && matches(entry, info.host, info.port)) {
            info.state = HostKeyState::Changed;
            info.storedFingerprint = entry.type + u' ' + HostKeyInfo::fingerprintOf(entry.blob);
            return;
        }
    }
}

QStringList KnownHosts::knownTypes(const QString &host, int port) const
{
    QMutexLocker lock(&m_mutex);
    QStringList types;
    for (const Entry &entry : load(nullptr)) {
        if (!entry.revoked && matches(entry, host, port) && !types.contains(entry.type))
            types.append(entry.type);
    }
    return types;
}

Result<> KnownHosts::save(const QStringList &lines) const
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return fail(tr("Could not write the known hosts file %1: %2").arg(m_path, file.errorString()),
                    tr("Check the permissions of the data directory."));
    for (const QString &line : lines)
        file.write(line.toUtf8() + '\n');
    if (!file.commit())
        return fail(tr("Could not write the known hosts file %1: %2").arg(m_path, file.errorString()),
                    tr("Check that the disk is not full."));
    QFile::setPermissions(m_path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return {};
}

Result<> KnownHosts::remember(const HostKeyInfo &info)
{
    QMutexLocker lock(&m_mutex);
    Error error;
    QStringList lines;
    for (const Entry &entry : load(&error)) {
        if (!entry.revoked && entry.type == info.type && matches(entry, info.host, info.port)) {
            if (entry.blob == info.blob)
                return {};
            return fail(tr("The known hosts file already holds another %1 key for %2.")
                            .arg(info.type, hostPattern(info.host, info.port)),
                        tr("Replace it explicitly if the server's key really changed."));
        }
        lines.append(entry.line);
    }
    if (!error.message.isEmpty())
        return std::unexpected(error);
    lines.append(hostPattern(info.host, info.port) + u' ' + info.type + u' ' + QString::fromLatin1(info.blob.toBase64()));
    return save(lines);
}

Result<> KnownHosts::replace(const HostKeyInfo &info)
{
    QMutexLocker lock(&m_mutex);
    Error error;
    QStringList lines;
    for (const Entry &entry : load(&error)) {
        if (!entry.revoked && matches(entry, info.host, info.port))
            continue;
        lines.append(entry.line);
    }
    if (!error.message.isEmpty())
        return std::unexpected(error);
    lines.append(hostPattern(info.host, info.port) + u' ' + info.type + u' ' + QString::fromLatin1(info.blob.toBase64()));
    return save(lines);
}

Result<int> KnownHosts::forget(const QString &host, int port)
{
    QMutexLocker lock(&m_mutex);
    Error error;
    QStringList lines;
    int removed = 0;
    for (const Entry &entry : load(&error)) {
        if (!entry.revoked && matches(entry, host, port)) {
            ++removed;
            continue;
        }
        lines.append(entry.line);
    }
    if (!error.message.isEmpty())
        return std::unexpected(error);
    if (removed == 0)
        return 0;
    if (auto saved = save(lines); !saved)
        return std::unexpected(saved.error());
    return removed;
}

Result<int> KnownHosts::import(const QString &openSshKnownHostsPath)
{
    QFile source(openSshKnownHostsPath);
    if (!source.open(QIODevice::ReadOnly | QIODevice::Text))
        return fail(tr("Could not read %1: %2").arg(openSshKnownHostsPath, source.errorString()),
                    tr("Name an OpenSSH known_hosts file, usually ~/.ssh/known_hosts."));
    QMutexLocker lock(&m_mutex);
    Error error;
    QStringList lines;
    for (const Entry &entry : load(&error))
        lines.append(entry.line);
    if (!error.message.isEmpty())
        return std::unexpected(error);
    int added = 0;
    while (!source.atEnd()) {
        const auto entry = parse(QString::fromUtf8(source.readLine()));
        if (!entry || lines.contains(entry->line))
            continue;
        lines.append(entry->line);
        ++added;
    }
    if (added == 0)
        return 0;
    if (auto saved = save(lines); !saved)
        return std::unexpected(saved.error());
    return added;
}

} // namespace rd
