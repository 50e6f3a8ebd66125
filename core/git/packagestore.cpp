#include "packagestore.h"

#include "zstdpackage.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QTemporaryFile>

#include <algorithm>
#include <limits>

namespace rd {

namespace {

const QString PackageSuffix = QStringLiteral(".tar.gz");
const QString ZstdSuffix = QStringLiteral(".tar.zst"); // the copy ZstdPackage makes beside a package
const QString RecordSuffix = QStringLiteral(".json");
const QString PartialPrefix = QStringLiteral(".partial-");

} // namespace

PackageStore::PackageStore(QString directory) : m_directory(std::move(directory)) {}

QString PackageStore::pathFor(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("packages"));
}

QString PackageStore::packagePath(const QString &key) const
{
    return QDir(m_directory).filePath(key + PackageSuffix);
}

QString PackageStore::recordPath(const QString &key) const
{
    return QDir(m_directory).filePath(key + RecordSuffix);
}

Result<> PackageStore::ensureDirectory() const
{
    if (!QDir().mkpath(m_directory))
        return fail(tr("Could not create the package store %1.").arg(m_directory),
                    tr("Check the permissions of the data directory."));
    return {};
}

qint64 PackageStore::parseSize(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^\\s*(\\d+)\\s*([KMGT]?)i?B?\\s*$"),
                                            QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return -1;
    bool ok = false;
    qint64 value = match.captured(1).toLongLong(&ok);
    if (!ok)
        return -1;
    const QString unit = match.captured(2).toUpper();
    const int shift = unit == u"K" ? 10 : unit == u"M" ? 20 : unit == u"G" ? 30 : unit == u"T" ? 40 : 0;
    if (value > (std::numeric_limits<qint64>::max() >> shift))
        return -1;
    return value << shift;
}

Result<StoredPackage> PackageStore::readRecord(const QString &key) const
{
    QFile file(recordPath(key));
    if (!file.open(QIODevice::ReadOnly))
        return fail(tr("Could not read the package record %1: %2").arg(file.fileName(), file.errorString()));
    const QJsonObject object = QJsonDocument::fromJson(file.readAll()).object();
    auto manifest = PackageManifest::fromJson(
        QJsonDocument(object.value(QStringLiteral("manifest")).toObject()).toJson(QJsonDocument::Compact));
    if (!manifest)
        return std::unexpected(manifest.error());
    StoredPackage package;
    package.key = key;
    package.path = packagePath(key);
    package.manifest = std::move(*manifest);
    package.sha256 = object.value(QStringLiteral("sha256")).toString();
    package.size = object.value(QStringLiteral("size")).toInteger();
    package.created = QDateTime::fromString(object.value(QStringLiteral("created")).toString(), Qt::ISODate);
    // A package cut short (say by a crash before the data reached the disk) is not a package.
    if (QFileInfo(package.path).size() != package.size || package.sha256.size() != 64)
        return fail(tr("The stored package %1 is incomplete.").arg(package.path),
                    tr("Prune the package store and build it again."));
    return package;
}

Result<std::optional<StoredPackage>> PackageStore::find(const QString &key) const
{
    if (!QFileInfo::exists(recordPath(key)) || !QFileInfo::exists(packagePath(key)))
        return std::optional<StoredPackage>();
    auto package = readRecord(key);
    if (!package)
        return std::optional<StoredPackage>();
    return std::optional<StoredPackage>(std::move(*package));
}

Result<QList<StoredPackage>> PackageStore::list() const
{
    QList<StoredPackage> packages;
    const QDir dir(m_directory);
    if (!dir.exists())
        return packages;
    for (const QString &name : dir.entryList({QStringLiteral("*") + RecordSuffix}, QDir::Files, QDir::Name)) {
        const QString key = name.chopped(RecordSuffix.size());
        if (auto package = readRecord(key))
            packages.append(std::move(*package));
    }
    std::stable_sort(packages.begin(), packages.end(),
                     [](const StoredPackage &a, const StoredPackage &b) { return a.created > b.created; });
    return packages;
}

Result<StoredPackage> PackageStore::add(const QString &key, const Writer &write)
{
    if (auto made = ensureDirectory(); !made)
        return std::unexpected(made.error());
    QTemporaryFile partial(QDir(m_directory).filePath(PartialPrefix + key + QStringLiteral("-XXXXXX")));
    if (!partial.open())
        return fail(tr("Could not create a package in %1: %2").arg(m_directory, partial.errorString()),
                    tr("Check the free space and permissions of the package store."));
    auto summary = write(partial.handle(), m_directory);
    if (!summary) {
        Error error = summary.error();
        // A writer that knows the cause (a crafted tree, a name tar cannot hold) says what to do itself.
        if (error.hint.isEmpty())
            error.hint = tr("Free space in %1 or prune old packages (package prune), then build again.").arg(m_directory);
        return std::unexpected(error);
    }
    partial.close();

    StoredPackage package;
    package.key = key;
    package.path = packagePath(key);
    package.manifest = summary->manifest;
    package.sha256 = summary->sha256;
    package.size = summary->size;
    package.created = QDateTime::currentDateTimeUtc();
    QFile::remove(package.path);
    if (!partial.rename(package.path))
        return fail(tr("Could not move the package into place as %1: %2").arg(package.path, partial.errorString()),
                    tr("Check the permissions of the package store."));
    partial.setAutoRemove(false);

    const QJsonObject record{
        {QStringLiteral("manifest"), QJsonDocument::fromJson(summary->manifest.toJson()).object()},
        {QStringLiteral("sha256"), package.sha256},
        {QStringLiteral("size"), package.size},
        {QStringLiteral("created"), package.created.toString(Qt::ISODate)}};
    QSaveFile recordFile(recordPath(key));
    const QByteArray json = QJsonDocument(record).toJson(QJsonDocument::Indented);
    if (!recordFile.open(QIODevice::WriteOnly) || recordFile.write(json) != json.size() || !recordFile.commit()) {
        const QString reason = recordFile.errorString();
        QFile::remove(package.path);
        return fail(tr("Could not record the package %1: %2").arg(package.path, reason),
                    tr("Free space in %1 or prune old packages (package prune), then build again.").arg(m_directory));
    }
    return package;
}

Result<> PackageStore::remove(const StoredPackage &package)
{
    // The record goes first: without it the package is no longer listed, even if its removal fails.
    if (QFileInfo::exists(recordPath(package.key)) && !QFile::remove(recordPath(package.key)))
        return fail(tr("Could not remove the package record of %1.").arg(package.key),
                    tr("Check the permissions of %1.").arg(m_directory));
    for (const QString &path : {package.path, ZstdPackage::pathFor(package.path)}) {
        if (QFileInfo::exists(path) && !QFile::remove(path))
            return fail(tr("Could not remove the package %1.").arg(path),
                        tr("Check the permissions of %1.").arg(m_directory));
    }
    return {};
}

Result<PruneReport> PackageStore::prune(const PruneLimit &limit)
{
    PruneReport report;
    auto packages = list();
    if (!packages)
        return std::unexpected(packages.error());
    qint64 total = 0;
    for (const StoredPackage &package : *packages) {
        // A package's zstd copy counts against the limit too (size 0 when there is none).
        const qint64 bytes = package.size + QFileInfo(ZstdPackage::pathFor(package.path)).size();
        const bool overCount = limit.keepCount >= 0 && report.kept >= limit.keepCount;
        const bool overSize = limit.maxBytes >= 0 && total + bytes > limit.maxBytes;
        if (!overCount && !overSize) {
            total += bytes;
            ++report.kept;
            continue;
        }
        if (auto removed = remove(package); !removed)
            return std::unexpected(removed.error());
        report.freedBytes += bytes;
        report.removed.append(package);
    }

    // Whatever is not a listed package: orphans of either half, and old temporary files.
    QSet<QString> listed;
    for (const StoredPackage &package : *packages)
        listed.insert(package.key);
    const QDir dir(m_directory);
    const QDateTime dayAgo = QDateTime::currentDateTimeUtc().addDays(-1);
    for (const QFileInfo &info : dir.entryInfoList(QDir::Files | QDir::Hidden)) {
        const QString name = info.fileName();
        if (name.startsWith(PartialPrefix) || name.startsWith(u'.')) {
            if (info.lastModified().toUTC() < dayAgo) {
                report.freedBytes += info.size();
                QFile::remove(info.filePath());
            }
            continue;
        }
        QString key;
        if (name.endsWith(PackageSuffix))
            key = name.chopped(PackageSuffix.size());
        else if (name.endsWith(ZstdSuffix))
            key = name.chopped(ZstdSuffix.size());
        else if (name.endsWith(RecordSuffix))
            key = name.chopped(RecordSuffix.size());
        else
            continue;
        if (!listed.contains(key)) {
            report.freedBytes += info.size();
            QFile::remove(info.filePath());
        }
    }
    return report;
}

} // namespace rd
