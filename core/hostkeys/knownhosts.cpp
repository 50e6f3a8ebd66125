#include "knownhosts.h"

#include "common/boundedfile.h"
#include "common/wildcard.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageAuthenticationCode>
#include <QSaveFile>
#include <QSet>

#include <algorithm>

#include <sys/stat.h>
#include <ctime>

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

namespace {

std::optional<QByteArray> strictBase64(const QString &text)
{
    auto decoded = QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.isEmpty() || text.contains(QChar(QChar::ReplacementCharacter)))
        return std::nullopt;
    return decoded.decoded;
}

// The key type that an SSH public key blob names in its first field (RFC 4253 6.6).
QString blobType(const QByteArray &blob)
{
    if (blob.size() < 4)
        return {};
    const quint32 length = (quint32(uchar(blob[0])) << 24) | (quint32(uchar(blob[1])) << 16) |
                           (quint32(uchar(blob[2])) << 8) | quint32(uchar(blob[3]));
    if (length == 0 || length > 64 || qsizetype(length) > blob.size() - 4)
        return {};
    return QString::fromLatin1(blob.mid(4, length));
}

// A pattern of nothing but wildcards trusts one key for every server there is.
bool matchesAnyHost(const QString &pattern)
{
    if (pattern.startsWith(u'!'))
        return false;
    return std::ranges::all_of(pattern, [](QChar c) { return c == u'*' || c == u'?' || c == u'.'; });
}

// A revocation may name every host; a trusted key may not.
std::optional<QString> hostsProblem(const QString &hosts, bool revoked)
{
    for (const QString &pattern : hosts.split(u',')) {
        if (pattern.isEmpty())
            return KnownHosts::tr("its host list has an empty entry.");
        if (!revoked && matchesAnyHost(pattern))
            return KnownHosts::tr("the host pattern \"%1\" matches every server.").arg(pattern);
        if (pattern.startsWith(QStringLiteral("|1|"))) {
            const QStringList parts = pattern.split(u'|');
            if (parts.size() != 4 || !strictBase64(parts[2]) || !strictBase64(parts[3]))
                return KnownHosts::tr("the hashed host name \"%1\" is not valid.").arg(pattern);
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<KnownHosts::Entry> KnownHosts::parse(const QString &line, QString *whySkipped)
{
    const QString trimmed = line.trimmed();
    if (trimmed.isEmpty() || trimmed.startsWith(u'#'))
        return std::nullopt;
    auto skip = [whySkipped](const QString &why) -> std::optional<Entry> {
        if (whySkipped)
            *whySkipped = why;
        return std::nullopt;
    };
    QStringList fields = trimmed.simplified().split(u' ');
    Entry entry;
    if (fields.first().startsWith(u'@')) {
        if (fields.first() == u"@cert-authority")
            return skip(tr("it names a certificate authority; ReleaseDesk checks host keys, not certificates."));
        if (fields.first() != u"@revoked")
            return skip(tr("the marker %1 is unknown.").arg(fields.first()));
        entry.revoked = true;
        fields.removeFirst();
    }
    if (fields.size() < 3)
        return skip(tr("it has no host, key type and key."));
    entry.hosts = fields[0];
    entry.type = fields[1];
    if (auto problem = hostsProblem(entry.hosts, entry.revoked))
        return skip(*problem);
    const auto blob = strictBase64(fields[2]);
    if (!blob)
        return skip(tr("the key is not valid base64."));
    if (blobType(*blob) != entry.type)
        return skip(tr("the key is not a %1 key.").arg(entry.type));
    entry.blob = *blob;
    // Kept in one canonical spelling (fields joined by one space): a carriage return or tab between
    // them would not read back the same, and the same entry must be recognised on the next import.
    entry.line = trimmed.simplified();
    return entry;
}

bool KnownHosts::matches(const Entry &entry, const QString &name)
{
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
        if (Wildcard::matches(negated ? QStringView(pattern).mid(1) : QStringView(pattern), name)) {
            if (negated)
                return false;
            matched = true;
        }
    }
    return matched;
}

const QList<KnownHosts::Entry> &KnownHosts::load(Error *error) const
{
    Stamp stamp;
    struct stat status{};
    if (::stat(QFile::encodeName(m_path).constData(), &status) == 0)
        stamp = Stamp{true, quint64(status.st_ino), qint64(status.st_size),
                      qint64(status.st_mtim.tv_sec) * 1000000000 + status.st_mtim.tv_nsec};
    // Timestamps move in clock ticks: a file changed in the tick it was read may change again unseen,
    // so such a read is not trusted (as git does with its index).
    if (m_loaded == stamp && m_loadedAtNs - stamp.modifiedNs > 1000000000)
        return m_entries;
    m_entries.clear();
    m_loaded.reset();
    if (!stamp.exists) {
        m_loaded = stamp;
        return m_entries;
    }
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    m_loadedAtNs = qint64(now.tv_sec) * 1000000000 + now.tv_nsec;
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        if (error)
            *error = Error{tr("Could not read the known hosts file %1: %2").arg(m_path, file.errorString()),
                           tr("Check its permissions."), {}};
        return m_entries;
    }
    while (!file.atEnd()) {
        if (auto entry = parse(QString::fromUtf8(file.readLine())))
            m_entries.append(*entry);
    }
    m_loaded = stamp;
    return m_entries;
}

void KnownHosts::check(HostKeyInfo &info) const
{
    QMutexLocker lock(&m_mutex);
    info.state = HostKeyState::Unknown;
    info.storedFingerprint.clear();
    info.otherKnownKey.clear();
    const QString name = hostPattern(info.host, info.port);
    const QList<Entry> &entries = load(nullptr);
    for (const Entry &entry : entries) {
        if (entry.revoked && entry.blob == info.blob && matches(entry, name)) {
            info.state = HostKeyState::Revoked;
            return;
        }
    }
    for (const Entry &entry : entries) {
        if (entry.revoked || entry.type != info.type || !matches(entry, name))
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
    for (const Entry &entry : entries) {
        if (!entry.revoked && matches(entry, name)) {
            info.otherKnownKey = entry.type + u' ' + HostKeyInfo::fingerprintOf(entry.blob);
            return;
        }
    }
}

QStringList KnownHosts::knownTypes(const QString &host, int port) const
{
    QMutexLocker lock(&m_mutex);
    QStringList types;
    const QString name = hostPattern(host, port);
    for (const Entry &entry : load(nullptr)) {
        if (!entry.revoked && matches(entry, name) && !types.contains(entry.type))
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
    // Read again next time even if the new file looks like the old one (same size, a reused inode,
    // a timestamp of the same clock tick).
    m_loaded.reset();
    QFile::setPermissions(m_path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return {};
}

Result<> KnownHosts::remember(const HostKeyInfo &info)
{
    QMutexLocker lock(&m_mutex);
    const QString name = hostPattern(info.host, info.port);
    Error error;
    QStringList lines;
    for (const Entry &entry : load(&error)) {
        if (!entry.revoked && entry.type == info.type && matches(entry, name)) {
            if (entry.blob == info.blob)
                return {};
            return fail(tr("The known hosts file already holds another %1 key for %2.").arg(info.type, name),
                        tr("Replace it explicitly if the server's key really changed."));
        }
        lines.append(entry.line);
    }
    if (!error.message.isEmpty())
        return std::unexpected(error);
    lines.append(name + u' ' + info.type + u' ' + QString::fromLatin1(info.blob.toBase64()));
    return save(lines);
}

Result<> KnownHosts::replace(const HostKeyInfo &info)
{
    QMutexLocker lock(&m_mutex);
    const QString name = hostPattern(info.host, info.port);
    Error error;
    QStringList lines;
    for (const Entry &entry : load(&error)) {
        if (!entry.revoked && matches(entry, name))
            continue;
        lines.append(entry.line);
    }
    if (!error.message.isEmpty())
        return std::unexpected(error);
    lines.append(name + u' ' + info.type + u' ' + QString::fromLatin1(info.blob.toBase64()));
    return save(lines);
}

Result<int> KnownHosts::forget(const QString &host, int port)
{
    QMutexLocker lock(&m_mutex);
    const QString name = hostPattern(host, port);
    Error error;
    QStringList lines;
    int removed = 0;
    for (const Entry &entry : load(&error)) {
        if (!entry.revoked && matches(entry, name)) {
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

Result<KnownHosts::ImportReport> KnownHosts::import(const QString &openSshKnownHostsPath)
{
    // 64 MiB: a known_hosts file of a million keys; anything larger is not one.
    auto source = BoundedFile::read(openSshKnownHostsPath, 64 * 1024 * 1024, tr("The known hosts file"));
    if (!source)
        return std::unexpected(source.error());
    QMutexLocker lock(&m_mutex);
    Error error;
    QStringList lines;
    QSet<QString> known;
    for (const Entry &entry : load(&error)) {
        lines.append(entry.line);
        known.insert(entry.line);
    }
    if (!error.message.isEmpty())
        return std::unexpected(error);
    ImportReport report;
    qsizetype lineNumber = 0;
    for (const QByteArray &raw : source->split('\n')) {
        ++lineNumber;
        QString why;
        const auto entry = parse(QString::fromUtf8(raw), &why);
        if (!entry) {
            if (!why.isEmpty())
                report.skipped.append(tr("line %1: %2").arg(lineNumber).arg(why));
            continue;
        }
        if (known.contains(entry->line)) {
            ++report.alreadyKnown;
            continue;
        }
        known.insert(entry->line);
        lines.append(entry->line);
        ++report.added;
    }
    if (report.added == 0)
        return report;
    if (auto saved = save(lines); !saved)
        return std::unexpected(saved.error());
    return report;
}

} // namespace rd
