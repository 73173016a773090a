<#
.SYNOPSIS
    Release smoke test on a Windows PC with Excel: the installed add-in, driven through COM,
    runs Fetch -> Preview -> Export against the local sandbox. Prints PASS/FAIL per step.
#>
$ErrorActionPreference = 'Stop'
$Root = Join-Path $env:LOCALAPPDATA 'stac_xl'
$StacXl = Join-Path $Root 'venv\Scripts\stac-xl.exe'
$AddinPath = Join-Path $env:APPDATA 'Microsoft\Excel\XLSTART\STAC.xlam'
$Work = Join-Path $env:TEMP ("stac-smoke-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $Work | Out-Null
$failures = 0

function Step([string]$Name, [scriptblock]$Body) {
    try { & $Body; Write-Host "PASS  $Name" -ForegroundColor Green }
    catch { Write-Host "FAIL  $Name : $($_.Exception.Message)" -ForegroundColor Red; $script:failures++ }
}

$sandbox = Start-Process -FilePath $StacXl -ArgumentList @('sandbox', '--port', '8766', '--invoices', '200') -PassThru -WindowStyle Hidden
Start-Sleep -Seconds 3
$env:STAC_USERNAME = 'demo'; $env:STAC_PASSWORD = 'demo'; $env:STAC_BASE_URL = 'http://127.0.0.1:8766/api'
$book = Join-Path $Work 'smoke.xlsx'
& $StacXl new $book --preset generic-csv | Out-Null

$excel = New-Object -ComObject Excel.Application
try {
    $excel.Visible = $true
    $excel.Workbooks.Open($AddinPath) | Out-Null
    $wb = $excel.Workbooks.Open($book)
    Step 'add-in SelfTest' { $a = $excel.Run("'STAC.xlam'!STAC.SelfTest"); if ($a -notlike 'STAC ok*') { throw "answered '$a'" } }
    Step 'Fetch invoices' {
        $excel.Run("'STAC.xlam'!STAC.RunAction", 'fetch')
        $rows = $wb.Worksheets.Item('Invoices').UsedRange.Rows.Count
        if ($rows -lt 2) { throw "Invoices has $rows rows" }
    }
    Step 'Preview' {
        $excel.Run("'STAC.xlam'!STAC.RunAction", 'preview')
        if ($wb.Worksheets.Item('Export').UsedRange.Rows.Count -lt 2) { throw 'Export is empty' }
    }
    Step 'Export' {
        $wb.Worksheets.Item('Settings').Range('B8').Value2 = $Work   # Output folder
        $excel.Run("'STAC.xlam'!STAC.RunAction", 'export')
        if (-not (Get-ChildItem $Work -Filter '*.csv')) { throw 'no import file written' }
    }
    $wb.Close($false)
} finally {
    $excel.Quit()
    [System.Runtime.InteropServices.Marshal]::ReleaseComObject($excel) | Out-Null
    Stop-Process -Id $sandbox.Id -ErrorAction SilentlyContinue
}
if ($failures) { Write-Host "$failures step(s) failed." -ForegroundColor Red; exit 1 }
Write-Host 'All smoke-test steps passed.' -ForegroundColor Green
