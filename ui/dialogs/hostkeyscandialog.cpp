#include "hostkeyscandialog.h"
#include "widgets/serverresultsview.h"
#include "hostkeys/knownhosts.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace rd {

namespace {

// The same limits as `releasedesk-cli hostkeys scan` with its defaults.
constexpr int Parallelism = 20;
constexpr int TimeoutMs = 10000;

constexpr QColor NewColor(0x15, 0x65, 0xc0);
constexpr QColor KnownColor(0x2e, 0x7d, 0x32);
constexpr QColor AlarmColor(0xc6, 0x28, 0x28);
constexpr QColor UnreachableColor(0x8d, 0x6e, 0x63);

} // namespace

HostKeyScanDialog::HostKeyScanDialog(KnownHosts &knownHosts, QList<HostKeyScanTarget> targets, QWidget *parent)
    : QDialog(parent), m_targets(std::move(targets)), m_knownHosts(knownHosts),
      m_summary(new QLabel), m_error(new QLabel)
{
    setObjectName(QStringLiteral("hostKeyScanDialog"));
    setWindowTitle(tr("Scan host keys"));
    setModal(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 16, 16, 12);
    auto *intro = new QLabel(
        tr("The keys the servers offer now, compared with ReleaseDesk's known_hosts. Check the new keys whose "
           "fingerprints match the servers' own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on each server) "
           "and trust them together."));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_summary->setObjectName(QStringLiteral("summaryLabel"));
    layout->addWidget(m_summary);
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral(
        "QLabel { background: #fdecea; color: #b71c1c; border: 1px solid #f5c2c0; border-radius: 4px; padding: 6px; }"));
    m_error->hide();
    layout->addWidget(m_error);

    auto *results = new ServerResultsView(
        QStringLiteral("scanTable"), {tr("Server"), tr("Address"), tr("Type"), tr("Fingerprint"), tr("State"), QString()},
        int(m_targets.size()), tr("Select a server to see its key, or why it could not be scanned."));
    m_table = results->table();
    m_details = results->details();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 14);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (int row = 0; row < m_targets.size(); ++row) {
        m_table->item(row, ServerColumn)->setText(m_targets[row].name);
        m_table->item(row, AddressColumn)
            ->setText(tr("%1 port %2").arg(m_targets[row].host).arg(m_targets[row].port));
        m_table->item(row, FingerprintColumn)->setFont(mono);
    }
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &HostKeyScanDialog::showDetails);
    connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (item->column() == ServerColumn)
            updateSummary();
    });

    // Monospace, so the stored and offered fingerprints line up for comparison.
    m_details->setFont(mono);
    layout->addWidget(results, 1);

    auto *buttons = new QDialogButtonBox;
    m_checkAllButton = buttons->addButton(tr("Check all new"), QDialogButtonBox::ActionRole);
    m_checkAllButton->setObjectName(QStringLiteral("checkAllNewButton"));
    m_rescanButton = buttons->addButton(tr("Scan again"), QDialogButtonBox::ActionRole);
    m_rescanButton->setObjectName(QStringLiteral("scanAgainButton"));
    m_trustButton = buttons->addButton(tr("Trust checked"), QDialogButtonBox::ActionRole);
    m_trustButton->setObjectName(QStringLiteral("trustCheckedButton"));
    QPushButton *close = buttons->addButton(QDialogButtonBox::Close);
    close->setObjectName(QStringLiteral("closeButton"));
    for (QPushButton *button : {m_checkAllButton, m_rescanButton, m_trustButton, close})
        button->setAutoDefault(false);
    connect(m_checkAllButton, &QPushButton::clicked, this, &HostKeyScanDialog::checkAllNew);
    connect(m_rescanButton, &QPushButton::clicked, this, &HostKeyScanDialog::startScan);
    connect(m_trustButton, &QPushButton::clicked, this, &HostKeyScanDialog::trustChecked);
    connect(close, &QPushButton::clicked, this, &QDialog::close);
    layout->addWidget(buttons);

    resize(1100, 560);
}

HostKeyScanDialog::~HostKeyScanDialog()
{
    // The scan ends by itself within its timeout; its result, posted to this object, dies with it.
    if (m_scan.joinable())
        m_scan.join();
}

void HostKeyScanDialog::startScan()
{
    if (m_scanning)
        return;
    if (m_scan.joinable())
        m_scan.join();
    m_scanning = true;
    m_error->hide();
    m_states = QList<RowState>(m_targets.size(), RowState::Scanning);
    m_results.clear();
    for (int row = 0; row < m_targets.size(); ++row)
        fillRow(row);
    updateSummary();
    m_scan = std::thread([this, targets = m_targets, knownHosts = &m_knownHosts] {
        QList<HostKeyScanResult> results = HostKeyScanner::scan(targets, *knownHosts, Parallelism, TimeoutMs);
        QMetaObject::invokeMethod(
            this, [this, results = std::move(results)] { showResults(results); }, Qt::QueuedConnection);
    });
}

void HostKeyScanDialog::showResults(const QList<HostKeyScanResult> &results)
{
    m_scanning = false;
    m_results = results;
    for (int row = 0; row < m_results.size(); ++row) {
        const HostKeyScanResult &result = m_results[row];
        if (!result.key) {
            m_states[row] = RowState::Unreachable;
        } else {
            switch (result.key->state) {
            case HostKeyState::Unknown:
                m_states[row] = RowState::New;
                break;
            case HostKeyState::Known:
                m_states[row] = RowState::Known;
                break;
            case HostKeyState::Changed:
                m_states[row] = RowState::Changed;
                break;
            case HostKeyState::Revoked:
                m_states[row] = RowState::Revoked;
                break;
            }
        }
        fillRow(row);
    }
    m_table->resizeColumnsToContents();
    // Long errors are cut in the table; the tooltip and the details pane show them whole.
    m_table->setColumnWidth(StateColumn, qMin(m_table->columnWidth(StateColumn), 240));
    m_table->setColumnWidth(FingerprintColumn, m_table->columnWidth(FingerprintColumn) + 12);
    updateSummary();
    showDetails();
    emit scanFinished();
}

void HostKeyScanDialog::fillRow(int row)
{
    const QSignalBlocker blocker(m_table);
    const RowState state = m_states[row];
    const HostKeyScanResult *result = row < m_results.size() ? &m_results[row] : nullptr;
    const HostKeyInfo *key = result && result->key ? &*result->key : nullptr;

    QTableWidgetItem *server = m_table->item(row, ServerColumn);
    // Only a new key can be approved here.
    if (state == RowState::New) {
        server->setFlags(server->flags() | Qt::ItemIsUserCheckable);
        server->setCheckState(Qt::Unchecked);
    } else {
        server->setFlags(server->flags() & ~Qt::ItemIsUserCheckable);
        server->setData(Qt::CheckStateRole, QVariant());
    }
    m_table->item(row, TypeColumn)->setText(key ? key->type : QString());
    QTableWidgetItem *fingerprint = m_table->item(row, FingerprintColumn);
    fingerprint->setText(key ? key->fingerprint : QString());

    QTableWidgetItem *stateItem = m_table->item(row, StateColumn);
    QString stateText;
    QColor color = palette().color(QPalette::Text);
    switch (state) {
    case RowState::Scanning:
        stateText = tr("scanning…");
        break;
    case RowState::New:
        stateText = tr("new");
        color = NewColor;
        break;
    case RowState::Known:
        stateText = tr("known");
        color = KnownColor;
        break;
    case RowState::Changed:
        stateText = tr("CHANGED");
        color = AlarmColor;
        break;
    case RowState::Revoked:
        stateText = tr("revoked");
        color = AlarmColor;
        break;
    case RowState::Unreachable:
        stateText = tr("unreachable: %1").arg(result ? result->error.section(u'\n', 0, 0) : QString());
        color = UnreachableColor;
        break;
    }
    stateItem->setText(stateText);
    stateItem->setForeground(color);
    QFont font = stateItem->font();
    font.setBold(state == RowState::Changed || state == RowState::Revoked);
    stateItem->setFont(font);

    const QString details = detailsOf(row);
    for (int column = 0; column < ColumnCount; ++column)
        m_table->item(row, column)->setToolTip(details);

    if (state == RowState::Changed) {
        auto *forget = new QPushButton(tr("Forget stored key…"));
        forget->setObjectName(QStringLiteral("forgetButton"));
        forget->setAutoDefault(false);
        forget->setToolTip(tr("Remove the stored key of %1 port %2, after you have checked on the server that "
                              "its key really changed.")
                               .arg(m_targets[row].host)
                               .arg(m_targets[row].port));
        // Queued: forgetting refills the row, which deletes this very button.
        connect(forget, &QPushButton::clicked, this, [this, row] { forgetRow(row); }, Qt::QueuedConnection);
        m_table->setCellWidget(row, ActionColumn, forget);
    } else {
        m_table->removeCellWidget(row, ActionColumn);
    }
    if (m_table->currentRow() == row)
        showDetails();
}

QString HostKeyScanDialog::detailsOf(int row) const
{
    if (row >= m_results.size())
        return {};
    const HostKeyScanResult &result = m_results[row];
    const QString where = tr("%1 (%2 port %3)").arg(result.target.name, result.target.host).arg(result.target.port);
    if (!result.key)
        return tr("%1 could not be scanned:\n%2").arg(where, result.error);
    const HostKeyInfo &key = *result.key;
    switch (m_states[row]) {
    case RowState::Changed:
        return tr("%1 offers a host key that differs from the stored one.\n"
                  "Stored:      %2\n"
                  "Offered now: %3 (%4)\n\n"
                  "Connections to it are refused: someone may be intercepting them. If the server was reinstalled "
                  "or its keys were rotated, check the new fingerprint on the server "
                  "(ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then use \"Forget stored key\" and trust the "
                  "new key.")
            .arg(where, key.storedFingerprint, key.fingerprint, key.type);
    case RowState::Revoked:
        return tr("%1 offers a key marked as revoked in known_hosts (%2 %3). Do not connect until the server has "
                  "a new key.")
            .arg(where, key.type, key.fingerprint);
    case RowState::New:
        return tr("%1 offers a key that is not known yet:\n%2 %3\n\nCompare it with the output of "
                  "ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the server before trusting it.")
            .arg(where, key.type, key.fingerprint);
    case RowState::Known:
        return tr("%1 offers the stored key:\n%2 %3").arg(where, key.type, key.fingerprint);
    case RowState::Scanning:
    case RowState::Unreachable:
        break;
    }
    return {};
}

int HostKeyScanDialog::trustChecked()
{
    QStringList problems;
    int stored = 0;
    for (int row = 0; row < m_results.size(); ++row) {
        if (m_states[row] != RowState::New || m_table->item(row, ServerColumn)->checkState() != Qt::Checked)
            continue;
        if (auto remembered = m_knownHosts.remember(*m_results[row].key); !remembered) {
            problems.append(remembered.error().text());
            continue;
        }
        m_results[row].key->state = HostKeyState::Known;
        m_states[row] = RowState::Known;
        fillRow(row);
        ++stored;
    }
    if (problems.isEmpty())
        m_error->hide();
    else
        m_error->setText(problems.join(u'\n'));
    m_error->setVisible(!problems.isEmpty());
    updateSummary();
    return stored;
}

void HostKeyScanDialog::forgetRow(int row)
{
    const HostKeyScanTarget &target = m_targets[row];
    QMessageBox confirm(QMessageBox::Warning, tr("Forget stored host key"),
                        tr("Forget the stored host key of %1 (%2 port %3)?").arg(target.name, target.host).arg(target.port),
                        QMessageBox::Yes | QMessageBox::Cancel, this);
    confirm.setObjectName(QStringLiteral("forgetConfirmBox"));
    confirm.setInformativeText(tr("Do this only after checking on the server that its key really changed. The "
                                  "offered key is then shown as new, to be trusted like a first contact."));
    confirm.setDefaultButton(QMessageBox::Cancel);
    if (confirm.exec() != QMessageBox::Yes)
        return;
    auto removed = m_knownHosts.forget(target.host, target.port);
    if (!removed) {
        m_error->setText(removed.error().text());
        m_error->show();
        return;
    }
    m_error->hide();
    HostKeyInfo &key = *m_results[row].key;
    key.state = HostKeyState::Unknown;
    key.storedFingerprint.clear();
    m_states[row] = RowState::New;
    fillRow(row);
    updateSummary();
}

void HostKeyScanDialog::checkAllNew()
{
    for (int row = 0; row < m_results.size(); ++row) {
        if (m_states[row] == RowState::New)
            m_table->item(row, ServerColumn)->setCheckState(Qt::Checked);
    }
}

void HostKeyScanDialog::showDetails()
{
    const int row = m_table->currentRow();
    m_details->setPlainText(row < 0 ? QString() : detailsOf(row));
}

void HostKeyScanDialog::updateSummary()
{
    int counts[6] = {};
    int checked = 0;
    for (int row = 0; row < m_states.size(); ++row) {
        ++counts[int(m_states[row])];
        if (m_states[row] == RowState::New && m_table->item(row, ServerColumn)->checkState() == Qt::Checked)
            ++checked;
    }
    if (m_scanning) {
        m_summary->setText(tr("Scanning %n server(s)…", nullptr, int(m_targets.size())));
    } else {
        m_summary->setText(tr("%1 new, %2 known, %3 changed, %4 unreachable.")
                               .arg(counts[int(RowState::New)])
                               .arg(counts[int(RowState::Known)])
                               .arg(counts[int(RowState::Changed)] + counts[int(RowState::Revoked)])
                               .arg(counts[int(RowState::Unreachable)]));
    }
    m_trustButton->setEnabled(!m_scanning && checked > 0);
    m_trustButton->setText(checked ? tr("Trust %n checked", nullptr, checked) : tr("Trust checked"));
    m_checkAllButton->setEnabled(!m_scanning && counts[int(RowState::New)] > 0);
    m_rescanButton->setEnabled(!m_scanning);
}

} // namespace rd
