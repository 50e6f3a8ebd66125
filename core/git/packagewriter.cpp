#include "packagewriter.h"

#include "common/utf8localescope.h"

#include <QFile>

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rd {

namespace {

using Entry = std::unique_ptr<archive_entry, decltype([](archive_entry *entry) { archive_entry_free(entry); })>;

constexpr qint64 ChunkSize = 1 << 20;

} // namespace

// Where the compressed bytes go: the file, and the hash and count of what reached it.
struct PackageWriter::Sink
{
    int fd = -1;
    QString where;
    Sha256 hash;
    qint64 written = 0;

    static la_ssize_t write(archive *handle, void *self, const void *buffer, size_t length)
    {
        auto *sink = static_cast<Sink *>(self);
        const char *bytes = static_cast<const char *>(buffer);
        size_t done = 0;
        while (done < length) {
            const ssize_t n = ::write(sink->fd, bytes + done, length - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                archive_set_error(handle, errno, "%s", std::strerror(errno));
                return -1;
            }
            done += size_t(n);
        }
        sink->hash.addData(QByteArrayView(bytes, qsizetype(length)));
        sink->written += qint64(length);
        return la_ssize_t(length);
    }
};

void PackageWriter::Free::operator()(archive *handle) const
{
    archive_write_free(handle);
}

PackageWriter::PackageWriter() = default;
PackageWriter::~PackageWriter() = default;

Error PackageWriter::archiveError(const QString &what) const
{
    const char *detail = m_archive ? archive_error_string(m_archive.get()) : nullptr;
    // Only a failed write of the file says anything about the disk (a name or size it cannot
    // encode is not a disk's fault).
    const int code = m_archive ? archive_errno(m_archive.get()) : 0;
    const bool diskFault = code == ENOSPC || code == EDQUOT || code == EIO || code == EROFS || code == EACCES ||
                           code == EPERM || code == EFBIG || code == EBADF;
    return Error{detail ? what + QStringLiteral(": ") + QString::fromUtf8(detail) : what,
                 diskFault ? QString() // the package store says where to free space
                           : tr("The disk is not at fault: look at the file named above in the repository."),
                 {}};
}

Result<> PackageWriter::open(int fd, const QString &where, const Options &options)
{
    m_options = options;
    m_sink = std::make_unique<Sink>();
    m_sink->fd = fd;
    m_sink->where = where;
    m_archive.reset(archive_write_new());
    if (!m_archive)
        return fail(tr("Could not start a package archive: out of memory."));
    archive *a = m_archive.get();
    const QByteArray level = QByteArray::number(qBound(1, options.compressionLevel, 9));
    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK || archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
        archive_write_set_filter_option(a, "gzip", "compression-level", level.constData()) != ARCHIVE_OK ||
        archive_write_set_filter_option(a, "gzip", "timestamp", nullptr) != ARCHIVE_OK ||
        archive_write_open2(a, m_sink.get(), nullptr, &Sink::write, nullptr, nullptr) != ARCHIVE_OK)
        return std::unexpected(archiveError(tr("Could not start the package %1").arg(where)));
    return {};
}

Result<> PackageWriter::header(const QByteArray &path, unsigned int type, int mode, qint64 size,
                               const QByteArray &link)
{
    const Utf8LocaleScope utf8Names;
    Entry entry(archive_entry_new());
    archive_entry_set_pathname_utf8(entry.get(), path.constData());
    archive_entry_set_filetype(entry.get(), type);
    archive_entry_set_perm(entry.get(), mode_t(mode));
    archive_entry_set_size(entry.get(), size);
    archive_entry_set_mtime(entry.get(), time_t(m_options.mtime), 0);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    if (!link.isNull())
        archive_entry_set_symlink_utf8(entry.get(), link.constData());
    if (archive_write_header(m_archive.get(), entry.get()) != ARCHIVE_OK)
        return std::unexpected(archiveError(tr("Could not write %1 into the package").arg(QString::fromUtf8(path))));
    return {};
}

Result<> PackageWriter::data(QByteArrayView bytes)
{
    qsizetype done = 0;
    while (done < bytes.size()) {
        const la_ssize_t n = archive_write_data(m_archive.get(), bytes.data() + done, size_t(bytes.size() - done));
        if (n <= 0)
            return std::unexpected(archiveError(tr("Could not write the package %1").arg(m_sink->where)));
        done += qsizetype(n);
    }
    return {};
}

Result<> PackageWriter::addDirectory(const QByteArray &path)
{
    return header(path, AE_IFDIR, 0755, 0);
}

Result<> PackageWriter::addFile(const QByteArray &path, bool executable, QByteArrayView content)
{
    const int mode = executable ? 0755 : 0644;
    if (auto written = header(path, AE_IFREG, mode, content.size()); !written)
        return written;
    Sha256 hash;
    hash.addData(content);
    m_digest.addFile(path, mode, hash.result());
    return data(content);
}

Result<> PackageWriter::addFileFrom(const QByteArray &path, bool executable, const QString &localFile, qint64 size)
{
    QFile file(localFile);
    if (!file.open(QIODevice::ReadOnly))
        return fail(tr("Could not read %1 for the package: %2").arg(localFile, file.errorString()),
                    tr("Check that the build left it readable."));
    const int mode = executable ? 0755 : 0644;
    if (auto written = header(path, AE_IFREG, mode, size); !written)
        return written;
    Sha256 hash;
    QByteArray buffer(ChunkSize, Qt::Uninitialized);
    qint64 left = size;
    while (left > 0) {
        const qint64 n = file.read(buffer.data(), qMin(left, ChunkSize));
        if (n <= 0)
            return fail(tr("%1 changed while it was being packaged.").arg(localFile),
                        tr("Make sure nothing else writes into the work directory, then build again."));
        const QByteArrayView chunk(buffer.constData(), qsizetype(n));
        hash.addData(chunk);
        if (auto written = data(chunk); !written)
            return written;
        left -= n;
    }
    m_digest.addFile(path, mode, hash.result());
    return {};
}

Result<> PackageWriter::addSymlink(const QByteArray &path, const QByteArray &target)
{
    m_digest.addSymlink(path, target);
    return header(path, AE_IFLNK, 0777, 0, target);
}

Result<PackageWriter::Summary> PackageWriter::finish(PackageManifest manifest)
{
    manifest.fileCount = m_digest.count();
    manifest.payloadSha256 = m_digest.result();
    const QByteArray json = manifest.toJson();
    if (auto written = header(PackageManifest::fileName().toUtf8(), AE_IFREG, 0644, json.size()); !written)
        return std::unexpected(written.error());
    if (auto written = data(json); !written)
        return std::unexpected(written.error());
    if (archive_write_close(m_archive.get()) != ARCHIVE_OK)
        return std::unexpected(archiveError(tr("Could not finish the package %1").arg(m_sink->where)));
    Summary summary;
    summary.manifest = std::move(manifest);
    summary.sha256 = QString::fromLatin1(m_sink->hash.result().toHex());
    summary.size = m_sink->written;
    return summary;
}

} // namespace rd
