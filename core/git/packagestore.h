#pragma once

#include "common/error.h"
#include "packagemanifest.h"
#include "packagewriter.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace rd {

struct StoredPackage
{
    QString key;
    QString path; // the .tar.gz
    PackageManifest manifest;
    QString sha256; // of the .tar.gz
    qint64 size = 0;
    QDateTime created; // UTC
};

// Limits for prune(); a negative value means "no limit". Newest packages are kept first.
struct PruneLimit
{
    int keepCount = -1;
    qint64 maxBytes = -1;
};

struct PruneReport
{
    QList<StoredPackage> removed;
    qint64 freedBytes = 0;
    int kept = 0;
};

// The local package cache, <data>/packages: <key>.tar.gz with a <key>.json record beside it (the
// manifest, sha256, size and creation time, so listing never opens an archive). A package is written
// under a hidden temporary name and renamed into place only when complete; its record is renamed
// last, so a package without a record does not exist and a failed or interrupted build (a full disk,
// a crash) never leaves a package that looks usable.
class PackageStore
{
    Q_DECLARE_TR_FUNCTIONS(PackageStore)

public:
    explicit PackageStore(QString directory);

    static QString pathFor(const QString &dataDir);
    QString directory() const { return m_directory; }

    Result<std::optional<StoredPackage>> find(const QString &key) const;
    // Newest first.
    Result<QList<StoredPackage>> list() const;

    using Writer = std::function<Result<PackageWriter::Summary>(int fd, const QString &where)>;
    // Runs `write` into a temporary file of the store and publishes the result as `key`.
    Result<StoredPackage> add(const QString &key, const Writer &write);

    // Removes the oldest packages beyond the limits, records without packages, packages without
    // records and leftovers of interrupted builds older than a day.
    Result<PruneReport> prune(const PruneLimit &limit);
    Result<> remove(const StoredPackage &package);

    // "500M", "2G", "1024" (bytes), with K/M/G/T as powers of 1024; -1 when unreadable.
    static qint64 parseSize(const QString &text);

private:
    Result<> ensureDirectory() const;
    QString packagePath(const QString &key) const;
    QString recordPath(const QString &key) const;
    Result<StoredPackage> readRecord(const QString &key) const;

    QString m_directory;
};

} // namespace rd
