#include "zstdpackage.h"

#include "common/sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUuid>

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace rd {

namespace {

using ArchiveReader = std::unique_ptr<archive, decltype([](archive *handle) { archive_read_free(handle); })>;
using ArchiveWriter = std::unique_ptr<archive, decltype([](archive *handle) { archive_write_free(handle); })>;
using Entry = std::unique_ptr<archive_entry, decltype([](archive_entry *entry) { archive_entry_free(entry); })>;

constexpr qint64 ChunkSize = 1 << 20;
constexpr int ZstdLevel = 3; // unpacks as fast as any level; higher ones only cost the workstation time

// The compressed bytes go to the file and through the hash.
struct Sink
{
    QFile *file;
    Sha256 hash;

    static la_ssize_t write(archive *handle, void *self, const void *buffer, size_t length)
    {
        auto *sink = static_cast<Sink *>(self);
        const QByteArrayView bytes(static_cast<const char *>(buffer), qsizetype(length));
        if (sink->file->write(bytes.data(), bytes.size()) != bytes.size()) {
            archive_set_error(handle, EIO, "%s", qPrintable(sink->file->errorString()));
            return -1;
        }
        sink->hash.addData(bytes);
        return la_ssize_t(length);
    }
};

Error archiveError(archive *handle, const QString &what, const QString &where)
{
    const char *detail = handle ? archive_error_string(handle) : nullptr;
    return Error{detail ? what + QStringLiteral(": ") + QString::fromLocal8Bit(detail) : what,
                 ZstdPackage::tr("Check the free space and permissions of %1.").arg(where), {}};
}

Result<QString> hashOf(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(ZstdPackage::tr("Could not read %1: %2").arg(path, file.errorString()));
    Sha256 hash;
    for (QByteArray chunk = file.read(ChunkSize); !chunk.isEmpty(); chunk = file.read(ChunkSize))
        hash.addData(chunk);
    if (file.error() != QFileDevice::NoError)
        return fail(ZstdPackage::tr("Could not read %1: %2").arg(path, file.errorString()));
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace

QString ZstdPackage::pathFor(const QString &gzipPackage)
{
    const QString stem = gzipPackage.endsWith(QStringLiteral(".tar.gz")) ? gzipPackage.chopped(7) : gzipPackage;
    return stem + QStringLiteral(".tar.zst");
}

Result<ZstdPackage> ZstdPackage::ensure(const QString &gzipPackage)
{
    ZstdPackage copy;
    copy.path = pathFor(gzipPackage);
    // A package never changes under its name, so a copy at least as new as it is its copy.
    const QFileInfo source(gzipPackage);
    const QFileInfo existing(copy.path);
    if (existing.exists() && existing.lastModified() >= source.lastModified()) {
        auto hash = hashOf(copy.path);
        if (!hash)
            return std::unexpected(hash.error());
        copy.sha256 = *hash;
        return copy;
    }

    // The decompressed tar read as one raw stream and written again with zstd: the same bytes inside.
    ArchiveReader reader(archive_read_new());
    ArchiveWriter writer(archive_write_new());
    if (!reader || !writer)
        return fail(tr("Could not convert the package %1: out of memory.").arg(gzipPackage));
    if (archive_read_support_filter_gzip(reader.get()) != ARCHIVE_OK ||
        archive_read_support_format_raw(reader.get()) != ARCHIVE_OK ||
        archive_read_open_filename(reader.get(), QFile::encodeName(gzipPackage).constData(), size_t(ChunkSize)) !=
            ARCHIVE_OK)
        return std::unexpected(archiveError(reader.get(), tr("Could not read the package %1").arg(gzipPackage),
                                            gzipPackage));
    archive_entry *rawEntry = nullptr;
    if (archive_read_next_header(reader.get(), &rawEntry) != ARCHIVE_OK)
        return std::unexpected(archiveError(reader.get(), tr("Could not read the package %1").arg(gzipPackage),
                                            gzipPackage));

    // A dot file: the package store removes a day-old one left by a crash.
    const QFileInfo target(copy.path);
    const QString temporary = target.dir().filePath(QStringLiteral(".%1.partial-%2")
                                                        .arg(target.fileName(), QUuid::createUuid().toString(QUuid::Id128)));
    QFile file(temporary);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return fail(tr("Could not write %1: %2").arg(temporary, file.errorString()),
                    tr("Check the free space and permissions of %1.").arg(QFileInfo(temporary).absolutePath()));
    struct RemoveUnlessKept
    {
        QFile &file;
        bool keep = false;
        ~RemoveUnlessKept()
        {
            if (!keep)
                file.remove();
        }
    } cleanup{file};

    Sink sink{&file, {}};
    const QByteArray level = QByteArray::number(ZstdLevel);
    // No padding of the last block with zeros: zstd, unlike gzip, refuses trailing bytes.
    if (archive_write_set_bytes_in_last_block(writer.get(), 1) != ARCHIVE_OK ||
        archive_write_add_filter_zstd(writer.get()) != ARCHIVE_OK ||
        archive_write_set_filter_option(writer.get(), "zstd", "compression-level", level.constData()) != ARCHIVE_OK ||
        archive_write_set_format_raw(writer.get()) != ARCHIVE_OK ||
        archive_write_open2(writer.get(), &sink, nullptr, &Sink::write, nullptr, nullptr) != ARCHIVE_OK)
        return std::unexpected(archiveError(writer.get(), tr("Could not start %1").arg(temporary), temporary));
    Entry entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), "package.tar");
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    if (archive_write_header(writer.get(), entry.get()) != ARCHIVE_OK)
        return std::unexpected(archiveError(writer.get(), tr("Could not write %1").arg(temporary), temporary));
    QByteArray buffer(ChunkSize, Qt::Uninitialized);
    for (;;) {
        const la_ssize_t got = archive_read_data(reader.get(), buffer.data(), size_t(buffer.size()));
        if (got < 0)
            return std::unexpected(
                archiveError(reader.get(), tr("Could not read the package %1").arg(gzipPackage), gzipPackage));
        if (got == 0)
            break;
        if (archive_write_data(writer.get(), buffer.constData(), size_t(got)) != got)
            return std::unexpected(archiveError(writer.get(), tr("Could not write %1").arg(temporary), temporary));
    }
    if (archive_write_close(writer.get()) != ARCHIVE_OK)
        return std::unexpected(archiveError(writer.get(), tr("Could not write %1").arg(temporary), temporary));
    if (!file.flush())
        return fail(tr("Could not write %1: %2").arg(temporary, file.errorString()),
                    tr("Check the free space and permissions of %1.").arg(QFileInfo(temporary).absolutePath()));
    file.close();
    QFile::remove(copy.path);
    if (!QFile::rename(temporary, copy.path))
        return fail(tr("Could not move %1 into place as %2.").arg(temporary, copy.path),
                    tr("Check the permissions of %1.").arg(QFileInfo(copy.path).absolutePath()));
    cleanup.keep = true;
    copy.sha256 = QString::fromLatin1(sink.hash.result().toHex());
    return copy;
}

} // namespace rd
