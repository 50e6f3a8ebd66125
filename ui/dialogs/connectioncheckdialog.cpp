#include "connectioncheckdialog.h"
#include "dialogs/guihostkeyprompt.h"
#include "widgets/serverresultsview.h"
#include "workspace/connectioncheck.h"

#include <QCloseEvent>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace rd {

namespace {

constexpr QColor OkColor(0x2e, 0x7d, 0x32);
constexpr QColor FailedColor(0xc6, 0x28, 0x28);

} // namespace

ConnectionCheckDialog::ConnectionCheckDialog(Workspace &workspace, QList<Server> servers, QWidget *parent)
    : QDialog(parent), m_workspace(workspace), m_servers(std::move(servers)), m_summary(new QLabel)
{
    setObjectName(QStringLiteral("connectionCheckDialog"));
    setWindowTitle(tr("Check connection"));
    setModal(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 16, 16, 12);
    auto *intro = new QLabel(tr("Each server is reached over SSH, signed in to with its key, and asked to run "
                                "`true`. Select a row to read its whole error."));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_summary->setObjectName(QStringLiteral("summaryLabel"));
    layout->addWidget(m_summary);

    auto *results = new ServerResultsView(
        QStringLiteral("checkTable"),
        {tr("Server"), tr("Address"), tr("State"), tr("Signed in with"), tr("Seconds"), tr("Error")},
        int(m_servers.size()), tr("The selected server's error appears here."));
    m_table = results->table();
    m_details = results->details();
    m_states = QList<RowState>(m_servers.size(), RowState::Connecting);
    for (int row = 0; row < m_servers.size(); ++row) {
        const Server &server = m_servers[row];
        m_rows.insert(server.name, row);
        m_table->item(row, ServerColumn)->setText(server.name);
        m_table->item(row, AddressColumn)->setText(tr("%1 port %2").arg(server.host).arg(server.port));
        m_table->item(row, SecondsColumn)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    m_table->resizeColumnsToContents();
    m_table->setColumnWidth(StateColumn, qMax(m_table->columnWidth(StateColumn), 110));
    m_table->setColumnWidth(AuthColumn, qMax(m_table->columnWidth(AuthColumn), 120));
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &ConnectionCheckDialog::showDetails);

    layout->addWidget(results, 1);

    auto *buttons = new QDialogButtonBox;
    m_stopButton = buttons->addButton(tr("Stop"), QDialogButtonBox::ActionRole);
    m_stopButton->setObjectName(QStringLiteral("stopButton"));
    m_againButton = buttons->addButton(tr("Check again"), QDialogButtonBox::ActionRole);
    m_againButton->setObjectName(QStringLiteral("checkAgainButton"));
    QPushButton *close = buttons->addButton(QDialogButtonBox::Close);
    close->setObjectName(QStringLiteral("closeButton"));
    connect(m_stopButton, &QPushButton::clicked, this, &ConnectionCheckDialog::stop);
    connect(m_againButton, &QPushButton::clicked, this, &ConnectionCheckDialog::start);
    connect(close, &QPushButton::clicked, this, &QDialog::close);
    layout->addWidget(buttons);

    resize(900, 460);
}

ConnectionCheckDialog::~ConnectionCheckDialog()
{
    // A worker may be waiting for a host key answer: release it before waiting for the workers.
    if (m_prompt)
        m_prompt->cancel();
    m_check.reset();
}

void ConnectionCheckDialog::start()
{
    if (m_running)
        return;
    m_check.reset();
    m_prompt = std::make_unique<GuiHostKeyPrompt>(this);
    // The defaults of `releasedesk-cli ssh check`.
    m_check = std::make_unique<ConnectionCheck>(m_workspace, m_prompt->prompt(), ConnectionCheck::Limits{});
    connect(m_check.get(), &ConnectionCheck::connected, this, &ConnectionCheckDialog::onConnected);
    connect(m_check.get(), &ConnectionCheck::serverFinished, this, &ConnectionCheckDialog::onServerFinished);
    connect(m_check.get(), &ConnectionCheck::finished, this, &ConnectionCheckDialog::onFinished);
    m_running = true;
    m_stopButton->setEnabled(true);
    m_againButton->setEnabled(false);
    for (int row = 0; row < m_servers.size(); ++row) {
        const Server &server = m_servers[row];
        for (int column : {AuthColumn, SecondsColumn, ErrorColumn}) {
            m_table->item(row, column)->setText({});
            m_table->item(row, column)->setToolTip({});
        }
        setRow(row, RowState::Connecting);
        m_prompt->setServerName(server.host, server.port, server.name);
    }
    updateSummary();
    m_check->start(m_servers);
}

void ConnectionCheckDialog::stop()
{
    if (!m_running)
        return;
    m_prompt->cancel();
    m_check->cancel();
    m_stopButton->setEnabled(false);
}

void ConnectionCheckDialog::setRow(int row, RowState state, const QString &error)
{
    m_states[row] = state;
    QTableWidgetItem *stateItem = m_table->item(row, StateColumn);
    switch (state) {
    case RowState::Connecting:
        stateItem->setText(tr("connecting"));
        stateItem->setForeground(palette().color(QPalette::Text));
        break;
    case RowState::Ok:
        stateItem->setText(tr("ok"));
        stateItem->setForeground(OkColor);
        break;
    case RowState::Failed:
        stateItem->setText(tr("failed"));
        stateItem->setForeground(FailedColor);
        break;
    }
    QTableWidgetItem *errorItem = m_table->item(row, ErrorColumn);
    // The cell shows the first line; the tooltip and the details pane the whole text.
    errorItem->setText(error.section(u'\n', 0, 0));
    errorItem->setToolTip(error);
    errorItem->setData(Qt::UserRole, error);
    if (m_table->currentRow() == row)
        showDetails();
}

void ConnectionCheckDialog::onConnected(const QString &server, const QString &method)
{
    if (const int row = m_rows.value(server, -1); row >= 0) {
        m_table->item(row, AuthColumn)->setText(method);
        m_table->item(row, AuthColumn)->setToolTip(method);
    }
}

void ConnectionCheckDialog::onServerFinished(const QString &server, bool ok, const QString &message,
                                             const QString &hint, double seconds)
{
    const int row = m_rows.value(server, -1);
    if (row < 0)
        return;
    if (seconds >= 0)
        m_table->item(row, SecondsColumn)->setText(QString::number(seconds, 'f', 2));
    if (ok)
        setRow(row, RowState::Ok);
    else
        setRow(row, RowState::Failed, hint.isEmpty() ? message : message + u'\n' + hint);
    updateSummary();
}

void ConnectionCheckDialog::onFinished()
{
    m_running = false;
    m_stopButton->setEnabled(false);
    m_againButton->setEnabled(true);
    updateSummary();
    emit checkFinished();
}

void ConnectionCheckDialog::showDetails()
{
    const int row = m_table->currentRow();
    if (row < 0) {
        m_details->clear();
        return;
    }
    m_details->setPlainText(m_table->item(row, ErrorColumn)->data(Qt::UserRole).toString());
}

void ConnectionCheckDialog::updateSummary()
{
    int ok = 0;
    int failed = 0;
    for (int row = 0; row < m_servers.size(); ++row) {
        ok += m_states[row] == RowState::Ok ? 1 : 0;
        failed += m_states[row] == RowState::Failed ? 1 : 0;
    }
    const int pending = int(m_servers.size()) - ok - failed;
    m_summary->setText(m_running && pending > 0
                           ? tr("%1 ok, %2 failed, %3 still connecting…").arg(ok).arg(failed).arg(pending)
                           : tr("%1 ok, %2 failed.").arg(ok).arg(failed));
}

void ConnectionCheckDialog::done(int result)
{
    stop();
    QDialog::done(result);
}

void ConnectionCheckDialog::closeEvent(QCloseEvent *event)
{
    stop();
    QDialog::closeEvent(event);
}

} // namespace rd
