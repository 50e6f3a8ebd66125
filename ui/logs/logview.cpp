#include "logview.h"
#include "logs/logfilemodel.h"
#include "logs/loglinedelegate.h"

#include <QAction>
#include <QClipboard>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QScrollBar>
#include <QStackedWidget>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <vector>

namespace rd {

namespace {

QAction *addToggle(QToolBar *bar, const QString &text, const QString &toolTip, const QString &name,
                   bool checked)
{
    QAction *action = bar->addAction(text);
    action->setObjectName(name);
    action->setToolTip(toolTip);
    action->setCheckable(true);
    action->setChecked(checked);
    return action;
}

} // namespace

LogView::LogView(QWidget *parent)
    : QWidget(parent), m_model(new LogFileModel(this)), m_delegate(new LogLineDelegate(this))
{
    setObjectName(QStringLiteral("logView"));
    auto *bar = new QToolBar;
    bar->setObjectName(QStringLiteral("logToolBar"));
    m_follow =
        addToggle(bar, tr("Follow"), tr("Scroll to new lines as they arrive (off while you scroll up)"),
                  QStringLiteral("followAction"), true);
    bar->addSeparator();
    m_search = new QLineEdit;
    m_search->setObjectName(QStringLiteral("searchEdit"));
    m_search->setPlaceholderText(tr("Search (Enter: next, Shift+Enter: previous)"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(m_search->fontMetrics().horizontalAdvance(m_search->placeholderText()) / 2);
    bar->addWidget(m_search);
    m_findPrevious = bar->addAction(tr("Previous"));
    m_findPrevious->setObjectName(QStringLiteral("findPreviousAction"));
    m_findPrevious->setToolTip(tr("Previous match (Shift+F3)"));
    m_findPrevious->setShortcuts(QKeySequence::FindPrevious);
    m_findNext = bar->addAction(tr("Next"));
    m_findNext->setObjectName(QStringLiteral("findNextAction"));
    m_findNext->setToolTip(tr("Next match (F3)"));
    m_findNext->setShortcuts(QKeySequence::FindNext);
    if (!m_findNext->shortcuts().contains(QKeySequence(Qt::Key_F3))) {
        m_findNext->setShortcuts(m_findNext->shortcuts() << QKeySequence(Qt::Key_F3));
        m_findPrevious->setShortcuts(m_findPrevious->shortcuts() << QKeySequence(Qt::SHIFT | Qt::Key_F3));
    }
    m_caseSensitive =
        addToggle(bar, tr("Aa"), tr("Match case"), QStringLiteral("caseSensitiveAction"), false);
    m_matches = new QLabel;
    m_matches->setObjectName(QStringLiteral("matchLabel"));
    m_matches->setContentsMargins(6, 0, 6, 0);
    bar->addWidget(m_matches);
    bar->addSeparator();
    m_copy = bar->addAction(tr("Copy"));
    m_copy->setObjectName(QStringLiteral("copyAction"));
    m_copy->setToolTip(tr("Copy the selected lines (Ctrl+C)"));
    m_wrap = addToggle(bar, tr("Wrap"), tr("Wrap long lines"), QStringLiteral("wrapAction"), false);
    m_timestamps = addToggle(bar, tr("Times"), tr("Show when each line arrived (local time)"),
                             QStringLiteral("timestampsAction"), true);
    // Ctrl+F belongs to the window that holds the docks: it picks the log to search.
    for (QAction *action : {m_findNext, m_findPrevious}) {
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(action);
    }

    m_list = new QListView;
    m_list->setObjectName(QStringLiteral("logListView"));
    m_list->setModel(m_model);
    m_list->setItemDelegate(m_delegate);
    m_list->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->setUniformItemSizes(true);
    m_list->installEventFilter(this);
    m_list->viewport()->installEventFilter(this);
    m_empty = new QLabel;
    m_empty->setObjectName(QStringLiteral("emptyLabel"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setForegroundRole(QPalette::PlaceholderText);
    m_stack = new QStackedWidget;
    m_stack->addWidget(m_empty);
    m_stack->addWidget(m_list);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(bar);
    layout->addWidget(m_stack, 1);

    m_search->installEventFilter(this);
    connect(m_search, &QLineEdit::textChanged, this, &LogView::searchTextChanged);
    connect(m_caseSensitive, &QAction::toggled, this, &LogView::searchTextChanged);
    connect(m_findNext, &QAction::triggered, this, &LogView::findNext);
    connect(m_findPrevious, &QAction::triggered, this, &LogView::findPrevious);
    connect(m_copy, &QAction::triggered, this, &LogView::copySelection);
    connect(m_wrap, &QAction::toggled, this, &LogView::setWrapping);
    connect(m_timestamps, &QAction::toggled, this, &LogView::setShowTimestamps);
    connect(m_follow, &QAction::toggled, this, [this](bool follow) {
        if (follow)
            m_list->scrollToBottom();
        emit followingChanged(follow);
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_countedNeedle.clear();
        m_matchRow = -1;
        m_matches->clear();
    });
    connect(m_model, &LogFileModel::fileExistsChanged, this, &LogView::updateEmptyState);
    connect(m_list->verticalScrollBar(), &QScrollBar::valueChanged, this, &LogView::scrolled);
    // New rows grow the range once the list has laid them out (a turn of the event loop after they
    // arrive, so the insertion and the layout are two short stalls rather than one long one).
    connect(m_list->verticalScrollBar(), &QScrollBar::rangeChanged, this, [this] {
        if (isFollowing())
            m_list->verticalScrollBar()->setValue(m_list->verticalScrollBar()->maximum());
    });
    updateEmptyState();
}

void LogView::setLogFile(const QString &path)
{
    m_model->setPath(path);
    updateEmptyState();
    if (isFollowing())
        m_list->scrollToBottom();
}

QString LogView::logFile() const
{
    return m_model->path();
}

bool LogView::isFollowing() const
{
    return m_follow->isChecked();
}

void LogView::setFollowing(bool follow)
{
    m_follow->setChecked(follow);
}

bool LogView::isWrapping() const
{
    return m_wrap->isChecked();
}

void LogView::setWrapping(bool wrap)
{
    m_wrap->setChecked(wrap);
    // Rows of one height are what keep a million lines fast; wrapped rows are measured one by one,
    // a batch per turn of the event loop.
    m_list->setUniformItemSizes(!wrap);
    m_list->setLayoutMode(wrap ? QListView::Batched : QListView::SinglePass);
    m_list->setBatchSize(500);
    m_list->setHorizontalScrollBarPolicy(wrap ? Qt::ScrollBarAlwaysOff : Qt::ScrollBarAsNeeded);
    // A scroll bar that comes and goes would change the width the rows were wrapped to.
    m_list->setVerticalScrollBarPolicy(wrap ? Qt::ScrollBarAlwaysOn : Qt::ScrollBarAsNeeded);
    relayout();
}

bool LogView::showTimestamps() const
{
    return m_timestamps->isChecked();
}

void LogView::setShowTimestamps(bool show)
{
    m_timestamps->setChecked(show);
    m_model->setShowTimestamps(show);
    relayout();
}

void LogView::relayout()
{
    m_delegate->setWrapWidth(isWrapping() ? m_list->viewport()->width() : 0);
    m_list->doItemsLayout();
    if (isFollowing())
        m_list->scrollToBottom();
}

void LogView::updateEmptyState()
{
    if (m_model->fileExists()) {
        m_stack->setCurrentWidget(m_list);
        return;
    }
    m_empty->setText(logFile().isEmpty() ? tr("No log file.")
                                         : tr("No log yet: lines appear here as soon as %1 is written.")
                                               .arg(QFileInfo(logFile()).fileName()));
    m_stack->setCurrentWidget(m_empty);
}

void LogView::scrolled(int value)
{
    // Scrolling up stops following, and scrolling back to the bottom starts it again.
    const bool atBottom = value >= m_list->verticalScrollBar()->maximum();
    if (atBottom != isFollowing())
        m_follow->setChecked(atBottom);
}

void LogView::searchTextChanged()
{
    m_delegate->setSearch(m_search->text(),
                          m_caseSensitive->isChecked() ? Qt::CaseSensitive : Qt::CaseInsensitive);
    m_matches->clear();
    m_list->viewport()->update();
}

void LogView::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void LogView::findNext()
{
    find(false);
}

void LogView::findPrevious()
{
    find(true);
}

void LogView::find(bool backwards)
{
    const QString needle = m_search->text();
    if (needle.isEmpty()) {
        m_matches->clear();
        return;
    }
    const Qt::CaseSensitivity cs = m_caseSensitive->isChecked() ? Qt::CaseSensitive : Qt::CaseInsensitive;
    const LogFileIndex &index = m_model->logIndex();
    const int rows = m_model->rowCount();
    const QModelIndex current = m_list->currentIndex();
    const int from = current.isValid() ? current.row() + (backwards ? -1 : 1) : (backwards ? rows - 1 : 0);
    int row = from >= 0 && from < rows ? index.find(needle, from, backwards, cs) : -1;
    const bool wrapped = row < 0 || row >= rows;
    if (wrapped)
        row = index.find(needle, backwards ? rows - 1 : 0, backwards, cs);
    if (row >= rows)
        row = -1;

    // The count grows with the file: only the lines that arrived since the last search are counted.
    if (needle != m_countedNeedle || cs != m_countedCase) {
        m_countedNeedle = needle;
        m_countedCase = cs;
        m_countedRows = 0;
        m_matchCount = 0;
        m_matchRow = -1;
    }
    if (rows > m_countedRows) {
        m_matchCount += index.countMatches(needle, cs, m_countedRows, rows);
        m_countedRows = rows;
    }
    if (row < 0) {
        m_matchRow = -1;
        m_matches->setText(tr("Not found"));
        return;
    }
    if (m_matchRow >= 0 && current.isValid() && current.row() == m_matchRow)
        m_matchOrdinal = wrapped ? (backwards ? m_matchCount : 1) : m_matchOrdinal + (backwards ? -1 : 1);
    else
        m_matchOrdinal = index.countMatches(needle, cs, 0, row) + 1;
    m_matchRow = row;

    const QModelIndex found = m_model->index(row);
    m_list->selectionModel()->setCurrentIndex(found, QItemSelectionModel::ClearAndSelect);
    m_list->scrollTo(found, QAbstractItemView::PositionAtCenter);
    const QString position = QString::number(m_matchOrdinal);
    const QString count = QString::number(m_matchCount);
    m_matches->setText(wrapped && m_matchCount > 1 ? tr("%1 of %2, wrapped").arg(position, count)
                                                   : tr("%1 of %2").arg(position, count));
}

void LogView::copySelection()
{
    std::vector<int> rows;
    for (const QItemSelectionRange &range : m_list->selectionModel()->selection())
        for (int row = range.top(); row <= range.bottom(); ++row)
            rows.push_back(row);
    if (rows.empty())
        return;
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    QString text;
    for (int row : rows) {
        text += m_model->index(row).data(Qt::DisplayRole).toString();
        text += QLatin1Char('\n');
    }
    QGuiApplication::clipboard()->setText(text);
}

bool LogView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            find(key->modifiers() & Qt::ShiftModifier);
            return true;
        }
    }
    if (watched == m_list &&
        (event->type() == QEvent::KeyPress || event->type() == QEvent::ShortcutOverride)) {
        // The list's own Ctrl+C copies one cell; ours copies every selected line, even over a
        // window-wide Copy shortcut.
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->matches(QKeySequence::Copy)) {
            event->accept();
            if (event->type() == QEvent::KeyPress)
                copySelection();
            return true;
        }
    }
    if (watched == m_list->viewport() && event->type() == QEvent::Resize && isWrapping() &&
        m_delegate->wrapWidth() != m_list->viewport()->width()) {
        m_delegate->setWrapWidth(m_list->viewport()->width());
        QMetaObject::invokeMethod(m_list, &QListView::doItemsLayout, Qt::QueuedConnection);
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace rd
